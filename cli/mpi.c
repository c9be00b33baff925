/*
 * mpi.c — the ranks of an MPI run: every MPI call of kimsim is here.
 *
 * Built with MPI=1 (KIMSIM_MPI) and started by mpirun/srun, kimsim is one
 * of `size` ranks: each loads the same inputs, runs its slice of the
 * replications (exec.c), and the ranks then share their results so rank 0
 * writes the files a single process writes.  Built without MPI, or started
 * without a launcher, it is rank 0 of 1 and every function below is a
 * no-op.  Only the main thread calls MPI (MPI_THREAD_FUNNELED); the
 * replication threads never do.
 */
#include "cli.h"

#ifdef KIMSIM_MPI

#include <limits.h>
#include <stdlib.h>
#include <time.h>
#include <mpi.h>

static int active, rank, size = 1;

/* Started by a launcher?  Without one, MPI_Init would make a singleton
 * rank (slow, and it may try to start daemons): run as one process. */
static int launched(void)
{
    static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
                                        "PMI_SIZE", "MPI_LOCALNRANKS" };
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i])) return 1;
    return 0;
}

static void finalize(void)
{
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Finalize();
}

void cli_mpi_init(int *argc, char ***argv)
{
    if (!launched()) return;
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "kimsim: MPI_Init failed\n");
        exit(CLI_EFAIL);
    }
    active = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    atexit(finalize);
}

int cli_mpi_rank(void) { return rank; }
int cli_mpi_size(void) { return size; }

void cli_mpi_bcast_int(int *x)
{
    if (active && size > 1) MPI_Bcast(x, 1, MPI_INT, 0, MPI_COMM_WORLD);
}

void cli_mpi_max_ints(int *x, int n)
{
    if (active && size > 1) MPI_Allreduce(MPI_IN_PLACE, x, n, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
}

/* Waits for every rank without spinning: MPI's blocking calls poll, and a
 * rank that finished its slice first would take a core from ranks still
 * running theirs (mpirun --oversubscribe, or ranks sharing a node). */
void cli_mpi_wait_all(void)
{
    if (!active || size < 2) return;
    MPI_Request req;
    MPI_Ibarrier(MPI_COMM_WORLD, &req);
    for (int done = 0;;) {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (done) break;
        nanosleep(&(struct timespec){ 0, 1000000 }, NULL);    /* 1 ms */
    }
}

/* Bitwise OR of the ranks' buffers, in place, in chunks below INT_MAX. */
void cli_mpi_share(void *buf, size_t n)
{
    if (!active || size < 2) return;
    unsigned char *p = buf;
    while (n > 0) {
        int chunk = n > (size_t)(INT_MAX / 2) ? INT_MAX / 2 : (int)n;
        MPI_Allreduce(MPI_IN_PLACE, p, chunk, MPI_BYTE, MPI_BOR, MPI_COMM_WORLD);
        p += chunk;
        n -= (size_t)chunk;
    }
}

#else

void cli_mpi_init(int *argc, char ***argv) { (void)argc; (void)argv; }
int cli_mpi_rank(void) { return 0; }
int cli_mpi_size(void) { return 1; }
void cli_mpi_bcast_int(int *x) { (void)x; }
void cli_mpi_max_ints(int *x, int n) { (void)x; (void)n; }
void cli_mpi_wait_all(void) {}
void cli_mpi_share(void *buf, size_t n) { (void)buf; (void)n; }

#endif
