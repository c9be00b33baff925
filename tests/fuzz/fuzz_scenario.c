/*
 * fuzz_scenario.c — libFuzzer harness: bytes -> scn_load_string ->
 * scenario or error; an accepted scenario must survive scn_print -> reload
 * unchanged and be released by kim_scenario_fini (entry.h states the
 * invariant).  Built and run by tests/fuzz/run.sh (make fuzz).
 */
#include "entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[512];
    if (fuzz_scenario_one(data, size, why) != 0) {
        fprintf(stderr, "fuzz_scenario: %s\n", why);
        abort();
    }
    return 0;
}
