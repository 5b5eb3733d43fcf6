/* hwnas mpirun ARGS...: runs `mpirun ARGS...` so that the signals a
 * terminal or a batch system sends end in a checkpoint and exit status 3,
 * as they do at one rank (docs/cluster.md, "Signals").
 *
 * Open MPI's mpirun turns SIGINT and SIGTERM into SIGTERM for the ranks and
 * then exits 1 whatever the ranks returned; SIGUSR1 it forwards, and it
 * exits with the ranks' status. So mpirun runs here in a process group of
 * its own (Ctrl-C reaches this process only), with stdin from /dev/null (a
 * background group that read the terminal would be stopped), and:
 *   first SIGINT or SIGTERM, and every SIGUSR1 -> SIGUSR1 to mpirun (the
 *     ranks checkpoint at the next generation boundary and exit 3);
 *   a second SIGINT or SIGTERM -> SIGINT to mpirun (the ranks get SIGTERM,
 *     their second signal, and stop at once).
 * The exit status is mpirun's (128 + N if a signal N ended it). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "hw_err.h"

static volatile sig_atomic_t n_stop, n_usr1;

static void on_signal(int s) {
    if (s == SIGUSR1) n_usr1++;
    else if (s == SIGINT || s == SIGTERM) n_stop++;
    /* SIGCHLD: only wakes sigsuspend */
}

static const int fwd_sigs[] = {SIGINT, SIGTERM, SIGUSR1, SIGCHLD};
#define N_FWD (int)(sizeof fwd_sigs / sizeof fwd_sigs[0])

static void usage(FILE *f) {
    fprintf(f, "usage: hwnas mpirun [MPIRUN OPTIONS] PROGRAM [ARGS...]\n"
               "  Runs mpirun with these arguments (HWNAS_MPIRUN names another launcher)\n"
               "  and forwards Ctrl-C, SIGTERM and SIGUSR1 to the ranks as SIGUSR1, so a\n"
               "  search checkpoints and the command exits 3; a second Ctrl-C or SIGTERM\n"
               "  stops at once. Example:\n"
               "    hwnas mpirun -np 4 hwnas search CFG.yaml --run RUN.h5\n"
               "  Exit status: mpirun's (128 + N when signal N ended it).\n");
}

/* Child: own process group, default signal dispositions, stdin from
 * /dev/null, then exec; an exec failure's errno goes up the pipe. */
static void child(const char *prog, char **args, int errfd, const sigset_t *mask) {
    setpgid(0, 0);
    for (int i = 0; i < N_FWD; i++) signal(fwd_sigs[i], SIG_DFL);
    sigprocmask(SIG_SETMASK, mask, NULL);
    int fd = open("/dev/null", O_RDONLY);
    if (fd >= 0 && fd != STDIN_FILENO) {
        dup2(fd, STDIN_FILENO);
        close(fd);
    }
    execvp(prog, args);
    int e = errno;
    if (write(errfd, &e, sizeof e) < 0) { /* the parent then sees status 127 */
    }
    _exit(127);
}

int cmd_mpirun(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return HW_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return HW_EXIT_OK;
    }
    const char *prog = getenv("HWNAS_MPIRUN");
    if (!prog || !*prog) prog = "mpirun";
    char **args = hw_calloc((size_t)argc + 1, sizeof *args);
    args[0] = (char *)prog;
    for (int i = 1; i < argc; i++) args[i] = argv[i];

    int pfd[2];
    if (pipe(pfd) || fcntl(pfd[1], F_SETFD, FD_CLOEXEC)) {
        free(args);
        fprintf(stderr, "hwnas: mpirun: pipe: %s\n", strerror(errno));
        return HW_EXIT_FAIL;
    }
    sigset_t block, old;
    sigemptyset(&block);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: sigsuspend below */
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < N_FWD; i++) {
        sigaddset(&block, fwd_sigs[i]);
        sigaction(fwd_sigs[i], &sa, NULL);
    }
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "hwnas: mpirun: fork: %s\n", strerror(errno));
        free(args);
        return HW_EXIT_FAIL;
    }
    if (pid == 0) child(prog, args, pfd[1], &old);
    setpgid(pid, pid); /* as the child does: whichever runs first */
    close(pfd[1]);
    int e = 0;
    ssize_t r;
    do r = read(pfd[0], &e, sizeof e);
    while (r < 0 && errno == EINTR);
    close(pfd[0]);
    free(args);

    int st = 0, stops_sent = 0, usr1_sent = 0;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) {
            fprintf(stderr, "hwnas: mpirun: waitpid: %s\n", strerror(errno));
            return HW_EXIT_FAIL;
        }
        if (w == 0) sigsuspend(&old); /* returns after a handler ran */
        while (stops_sent < n_stop) {
            kill(pid, stops_sent == 0 ? SIGUSR1 : SIGINT);
            stops_sent++;
        }
        for (; usr1_sent < n_usr1; usr1_sent++) kill(pid, SIGUSR1);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (r == (ssize_t)sizeof e) {
        fprintf(stderr, "hwnas: mpirun: cannot run '%s': %s (set HWNAS_MPIRUN or PATH)\n", prog, strerror(e));
        return HW_EXIT_USAGE;
    }
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
}
