/*
 * fuzz_trace.c — libFuzzer harness: bytes -> a CSV file -> the
 * referral-trace reader (scenarios/trace.c), as a top-level arrivals_file
 * and as a municipality's own file; the scenario that results must survive
 * scn_print -> reload unchanged (entry.h states the invariant).
 *
 * The CSV goes through a real file because arrivals_file is the reader's
 * only way in; the file lives in a private folder under $TMPDIR (tmpfs
 * under /dev/shm when there is one) made once per process.
 */
#include "entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[512], dir[400];

static void remove_scratch(void)
{
    unlink(path);
    rmdir(dir);
}

static const char *scratch_path(void)
{
    if (path[0]) return path;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/kimsim-fuzz-XXXXXX", base);
    if (!mkdtemp(dir)) { perror(dir); abort(); }
    snprintf(path, sizeof path, "%s/trace.csv", dir);
    atexit(remove_scratch);
    return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[512];
    if (fuzz_trace_one(data, size, scratch_path(), why) != 0) {
        fprintf(stderr, "fuzz_trace: %s\n", why);
        abort();
    }
    return 0;
}
