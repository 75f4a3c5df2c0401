package app.doorstep.ui.shots

import androidx.compose.runtime.SideEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.neverEqualPolicy
import androidx.compose.runtime.setValue
import androidx.compose.runtime.snapshots.Snapshot
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.unit.Density
import app.doorstep.core.EnrollEvent
import app.doorstep.core.Event
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.core.TodayEvent
import app.doorstep.ui.DoorstepScreen
import app.doorstep.ui.Themed
import java.nio.file.Files
import kotlin.io.path.writeText
import kotlin.math.ceil

/**
 * The benchmark `android_ui_frame_ms` (scripts/bench-android-ui; figures in docs/bench.md): what a
 * frame of the Today screen costs on the JVM when its technician has 500 lines. A real Office
 * with 500 households due for inspection and open faults at 475 of them (the list keeps the 25
 * most overdue inspections), a phone enrolled and synced on the gallery's clock;
 * then each frame is a new state from the core (a minute passes and the Tick's screen arrives:
 * the countdowns move), composed, laid out and drawn by Skia in an ImageComposeScene at
 * 360x800 dp, density 2. [WARM_UP] frames first, then [FRAMES] timed ones; only the UI's work is
 * timed (the core's Tick is docs/bench.md's `event_answer_ms`). `ROUNDS` (default 3) rounds in
 * the same JVM; prints each, then `figure android_ui_frame_ms_median <ms>` and `figure
 * android_ui_frame_ms_p95 <ms>` of the round with the lowest median.
 */
const val WARM_UP = 30
const val FRAMES = 30
const val HOUSEHOLDS = 500
const val ORDERS = 475

fun main() {
    val root = Files.createTempDirectory("doorstep-frame-bench")
    try {
        Office.open(root).use { office ->
            val csv = root.resolve("day.csv")
            csv.writeText(
                "customer_number,name,phone,district_id,address_district,street,building,unit,room,lat,lon,category,gas_on_date,last_inspection_at,special_group\n" +
                    (0 until HOUSEHOLDS).joinToString("") { i ->
                        // Inspected two years and some days ago: every one is due.
                        val lat = 30.255 + (i % 25) * 0.0017
                        val lon = 120.105 + (i / 25) * 0.0022
                        "HZ-${5000 + i},住户${5000 + i},1380000${"%04d".format(i)},${office.district},西湖区,文三路${i / 10 + 1}号," +
                            "${i % 10 + 1},1,${100 + i % 6},%.5f,%.5f,residential,2015-03-01,2024-%02d-10T10:00:00+08:00,%s\n"
                                .format(lat, lon, i % 11 + 1, if (i % 17 == 0) "elderly" else "")
                    },
            )
            office.admin("household", "import", csv.toString())
            // The day's list holds the most overdue inspections only (WorkListOptions'
            // max_inspections, 25): 475 open faults at the other households make it 500 lines,
            // as bindings/examples/ffi_overhead.rs makes its store.
            for (i in 0 until ORDERS) {
                office.admin(
                    "order", "create", "--number", "GZ-BENCH-%03d".format(i), "--kind", "pipeline_fault",
                    "--source", "phone", "--household", "HZ-${5000 + HOUSEHOLDS - 1 - i}", "--assignee", office.technician,
                    "--description", "楼道内闻到燃气味", "--reported-at", "2026-12-07T%02d:%02d:00+08:00".format(6 + i / 60 % 4, i % 60),
                )
            }
            GalleryPhone(Files.createDirectories(root.resolve("phone")), Gallery.NOW).use { phone ->
                phone.send(Event.Enroll(EnrollEvent.SetServer(office.url)))
                phone.send(Event.Enroll(EnrollEvent.SetCode(office.enrollmentCode())))
                phone.send(Event.Enroll(EnrollEvent.Submit))
                val lines = phone.on<Screen.Today>().v1.lines.size
                check(lines >= HOUSEHOLDS) { "Today has $lines lines, not $HOUSEHOLDS" }
                println("today_lines $lines")
                // The machine is shared: interference only adds time, so the figures are those
                // of the round with the lowest median (as scripts/bench-bindings does).
                val rounds = (System.getenv("ROUNDS") ?: "3").toInt()
                val best = (1..rounds).map { round ->
                    frames(phone).also { println("round $round median %.2f p95 %.2f".format(it.first, it.second)) }
                }.minBy { it.first }
                println("figure android_ui_frame_ms_median %.2f".format(best.first))
                println("figure android_ui_frame_ms_p95 %.2f".format(best.second))
            }
        }
    } finally {
        root.toFile().deleteRecursively()
    }
}

/** One round: the median and the 95th percentile of [FRAMES] frames, in ms. */
private fun frames(phone: GalleryPhone): Pair<Double, Double> {
    // Every Tick's record is drawn, even one equal to the last (a countdown past an hour moves
    // only every so often; the app's Shell would skip it): each timed frame is a whole compose
    // and draw.
    var state by mutableStateOf(phone.screen, neverEqualPolicy())
    var composed = 0
    val scene = ImageComposeScene(
        width = (Renders.WIDTH_DP * Renders.DENSITY).toInt(),
        height = (Renders.HEIGHT_DP * Renders.DENSITY).toInt(),
        density = Density(Renders.DENSITY),
    ) {
        Themed {
            val shown = state
            SideEffect { composed++ }
            DoorstepScreen(shown) {}
        }
    }
    val times = mutableListOf<Double>()
    try {
        var nanos = 0L
        scene.render(nanos)
        repeat(WARM_UP + FRAMES) { frame ->
            // A tap keeps the app from locking (five idle minutes); then a minute passes and the
            // Activity's Tick brings the new screen. Its effects (a sync every five minutes) are
            // not carried out: the bench times drawing, not the network.
            phone.app.handle(Event.Today(TodayEvent.Refresh))
            phone.app.advanceMinutes(1u)
            val next = phone.app.handle(Event.Tick).screen
            check(next.body is Screen.Today) { "the Tick left Today: ${next.body::class.simpleName}" }
            val before = composed
            val start = System.nanoTime()
            state = next
            Snapshot.sendApplyNotifications()
            nanos += 16_666_667L
            scene.render(nanos)
            val ms = (System.nanoTime() - start) / 1e6
            check(composed > before) { "frame $frame was not composed again" }
            if (frame >= WARM_UP) times += ms
        }
    } finally {
        scene.close()
    }
    println("frames_ms " + times.joinToString(" ") { "%.2f".format(it) })
    times.sort()
    val median = if (times.size % 2 == 1) times[times.size / 2] else (times[times.size / 2 - 1] + times[times.size / 2]) / 2
    val p95 = times[ceil(0.95 * times.size).toInt() - 1]
    return median to p95
}
