/* hw_clock: the clocks every module times itself with. */
#ifndef HW_CLOCK_H
#define HW_CLOCK_H

/* Seconds on the monotonic clock (differences only). */
double hw_now_s(void);
/* CPU seconds used by this process so far (all threads). */
double hw_cpu_s(void);

#endif
