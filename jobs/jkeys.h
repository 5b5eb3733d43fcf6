/* jkeys: CURVE key files for the dispatcher and the boards.
 *
 * Keys are Z85 text (40 characters for 32 bytes). Files:
 *   NAME.key  the key pair, mode 0600:   "public: <Z85>\nsecret: <Z85>\n"
 *   NAME.pub  the public key alone:      "<Z85>\n"
 *   allow-list: any text file with one public key per line; blank lines
 *   and lines starting with '#' are ignored (a .pub file is an allow-list
 *   of one; concatenating .pub files builds a bigger one).
 * Every loader rejects a malformed key with "FILE:LINE: ..." messages. */
#ifndef HW_JKEYS_H
#define HW_JKEYS_H

#define JKEY_LEN 40 /* Z85 characters of a CURVE key */

typedef struct jkey {
    char z85[JKEY_LEN + 1];
} jkey;

/* 1 if s is a well-formed Z85 CURVE key (exactly 40 characters that
 * decode to 32 bytes). */
int jkeys_valid(const char *s);
/* New key pair (zmq_curve_keypair); -1 if libzmq lacks CURVE. */
int jkeys_generate(jkey *pub, jkey *sec);
/* Writes BASE.key and BASE.pub atomically (temp + fsync + rename); refuses
 * to overwrite existing files unless force. */
int jkeys_write_pair(const char *base, const jkey *pub, const jkey *sec, int force);
/* Reads a .key file; checks that the public key matches the secret one. */
int jkeys_load_pair(const char *path, jkey *pub, jkey *sec);
/* A public key given either inline (40 Z85 characters) or as a file: a
 * .pub file (one key) or a .key file (its public line). */
int jkeys_load_public(const char *spec, jkey *pub);
/* Appends the keys of an allow-list file to *keys (hw_realloc'd; *n
 * updated). Fails on an empty list or a malformed line. */
int jkeys_load_allow(const char *path, jkey **keys, int *n);

#endif
