package app.doorstep.core

import java.util.Locale

/**
 * The Kotlin side of the FFI overhead benchmark (scripts/bench-bindings): the same calls as
 * bindings/examples/ffi_overhead.rs and bindings/bench/overhead.py, on the same store, through
 * the generated bindings, and the app's Today screen through DoorstepApp (`kotlin_screen_ms`,
 * against the example's `rust_screen_ms`). Not a test; the script runs it in a JVM of its own each round:
 *
 *     java -cp … app.doorstep.core.OverheadBenchKt <store dir> <key hex> <household id> [iterations]
 */
/** Calls made before measuring, in every language of the benchmark. */
private const val WARMUP = 20

fun main(args: Array<String>) {
    require(args.size >= 3) { "usage: OverheadBenchKt <store dir> <key hex> <household id> [iterations]" }
    val (directory, key, household) = args
    val iterations = args.getOrNull(3)?.toInt() ?: 30
    DeviceStore.open(directory, key).use { store ->
        val items = store.workList(null).size
        // The JIT compiles the generated lifting code after a few calls: measure the steady
        // state a technician's phone is in after the first screens, as the other languages do.
        repeat(WARMUP) {
            store.workList(null)
            store.householdFile(household)
        }
        val lists = mutableListOf<Double>()
        val files = mutableListOf<Double>()
        repeat(iterations) {
            lists += millis { store.workList(null) }
            files += millis { store.householdFile(household) }
        }
        store.closeStore()
        println("figure kotlin_work_list_items $items")
        println("figure kotlin_work_list_ms ${ms(median(lists))}")
        println("figure kotlin_household_file_ms ${ms(median(files))}")
    }
    // The app layer (issue 23): Today drawn again, through DoorstepApp, on the same store.
    DoorstepApp.open(directory, key, Language.ZH, "bench").use { app ->
        repeat(WARMUP) { app.screen() }
        val screens = mutableListOf<Double>()
        repeat(iterations) { screens += millis { app.screen() } }
        println("figure kotlin_screen_ms ${ms(median(screens))}")
    }
}

private inline fun millis(call: () -> Unit): Double {
    val start = System.nanoTime()
    call()
    return (System.nanoTime() - start) / 1e6
}

private fun ms(value: Double) = String.format(Locale.ROOT, "%.3f", value)

/** The same median as Python's `statistics.median`. */
private fun median(samples: List<Double>): Double {
    val sorted = samples.sorted()
    val mid = sorted.size / 2
    return if (sorted.size % 2 == 1) sorted[mid] else (sorted[mid - 1] + sorted[mid]) / 2
}
