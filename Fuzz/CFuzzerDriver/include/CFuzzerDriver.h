#pragma once
#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs that keep their own main (LLVM >= 11), declared here because libFuzzer
// ships no header. The symbol exists only when linked with -sanitize=fuzzer, so only code compiled with
// -DFUZZING calls it.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
