/*
 * baseline_mmc.c — the minimal hand-written M/M/c loop kimsim is measured
 * against (make bench): a binary heap of (time, kind) events, a FIFO ring
 * buffer of arrival times, GSL's mt19937 and gsl_ran_exponential, the mean
 * wait as the only statistic.  12 servers, 10.8 arrivals/day, mean service
 * 1 day, N arrivals (argv[1], default 1,000,000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

typedef struct { double t; int kind; } ev;   /* kind 0 arrival, 1 departure */

static ev *heap;
static size_t n;

static void push(ev e)
{
    size_t i = n++;
    while (i > 0 && heap[(i - 1) / 2].t > e.t) { heap[i] = heap[(i - 1) / 2]; i = (i - 1) / 2; }
    heap[i] = e;
}

static ev pop(void)
{
    ev top = heap[0], last = heap[--n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && heap[c + 1].t < heap[c].t) c++;
        if (heap[c].t >= last.t) break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = last;
    return top;
}

int main(int argc, char **argv)
{
    long arrivals = argc > 1 ? atol(argv[1]) : 1000000, done = 0, events = 0;
    const int c = 12;
    const double lambda = 10.8, mu = 1.0;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2385);
    heap = malloc(64 * sizeof *heap);
    size_t cap = 1 << 20, head = 0, tail = 0;
    double *fifo = malloc(cap * sizeof *fifo), wait_sum = 0.0;
    int busy = 0;
    push((ev){ gsl_ran_exponential(r, 1.0 / lambda), 0 });
    while (n > 0) {
        ev e = pop();
        events++;
        if (e.kind == 0) {
            if (++done < arrivals) push((ev){ e.t + gsl_ran_exponential(r, 1.0 / lambda), 0 });
            if (busy < c) { busy++; push((ev){ e.t + gsl_ran_exponential(r, 1.0 / mu), 1 }); }
            else { fifo[tail++ & (cap - 1)] = e.t; }
        } else if (head != tail) {
            wait_sum += e.t - fifo[head++ & (cap - 1)];
            push((ev){ e.t + gsl_ran_exponential(r, 1.0 / mu), 1 });
        } else {
            busy--;
        }
    }
    printf("baseline M/M/12: %ld arrivals, %ld events, mean wait %.4f days\n",
           arrivals, events, wait_sum / (double)arrivals);
    gsl_rng_free(r);
    free(heap);
    free(fifo);
    return 0;
}
