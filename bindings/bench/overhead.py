"""The Python side of the FFI overhead benchmark (scripts/bench-bindings): the same calls as
bindings/examples/ffi_overhead.rs, on the same store, through the generated bindings.

python3 overhead.py <store dir> <key hex> <household id> [iterations]"""

import statistics
import sys
import time

import doorstep

WARMUP = 20


def main():
    directory, key, household = sys.argv[1:4]
    iterations = int(sys.argv[4]) if len(sys.argv) > 4 else 30
    store = doorstep.DeviceStore.open(directory, key)
    items = len(store.work_list(None))
    for _ in range(WARMUP):  # as in every language of the benchmark
        store.work_list(None)
        store.household_file(household)
    lists, files = [], []
    for _ in range(iterations):
        t = time.perf_counter()
        store.work_list(None)
        lists.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        store.household_file(household)
        files.append((time.perf_counter() - t) * 1000)
    store.close_store()
    print(f"figure python_work_list_items {items}")
    print(f"figure python_work_list_ms {statistics.median(lists):.3f}")
    print(f"figure python_household_file_ms {statistics.median(files):.3f}")


if __name__ == "__main__":
    main()
