package app.doorstep.ui.platform

import app.doorstep.core.DoorstepApp
import app.doorstep.core.EnrollEvent
import app.doorstep.core.Event
import app.doorstep.core.FormEvent
import app.doorstep.core.Language
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.core.Symbology
import app.doorstep.core.TodayEvent
import app.doorstep.core.generateStoreKey
import app.doorstep.ui.scan.CodeReader
import app.doorstep.ui.scan.LumaFrame
import app.doorstep.ui.shell.InlineWorkers
import app.doorstep.ui.shell.Shell
import java.net.URLEncoder
import kotlin.random.Random
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/**
 * The scanner: ZXing reads camera frames (a luminance plane, turned as the sensor gives it) and
 * its text reaches the core as `Event.Scanned` through the real EffectDispatcher and Shell.
 */
class CodeReaderTest {
    @get:Rule val tmp = TemporaryFolder()

    @Test fun `a technician enrolls by scanning the office's QR code, and the phone reaches the server with it`() {
        Office.open(tmp.root.toPath()).use { office ->
            val code = office.enrollmentCode()
            val qr = "doorstep://enroll?server=${URLEncoder.encode(office.url, "UTF-8")}&code=$code"
            val platform = ScanPlatform()
            // The first frames show nothing readable (the camera still finding the code), then the
            // QR code, held at an angle the sensor gives turned by a quarter.
            platform.frames += Frames.frame(blank(200, 200), seed = 2)
            platform.frames += Frames.frame(Frames.qr(qr), left = 150, top = 60, rotationDegrees = 90, padding = 32)
            DoorstepApp.openWithTime(tmp.newFolder("phone").path, generateStoreKey(), Language.ZH, "scan test", "2026-12-07T09:00:00+08:00").use { app ->
                val shell = Shell(app, platform, InlineWorkers, app.screen(), Language.ZH)
                shell.send(Event.Enroll(EnrollEvent.Scan))
                assertEquals(listOf(listOf(Symbology.QR)), platform.kindsAsked)
                val enroll = (shell.state.body as Screen.Enroll).v1
                assertEquals(office.url, enroll.server.value)
                assertEquals(code, enroll.code.value)
                assertTrue(enroll.submit.enabled)

                shell.send(Event.Enroll(EnrollEvent.Submit))
                assertTrue(shell.state.body is Screen.Today, "enrolled with what the QR code held: ${shell.state.body}")
                assertEquals(1L, office.count("SELECT count(*) FROM devices"))
            }
        }
    }

    @Test fun `a seal's Code 128 label scanned on the shut-off form fills the seal number`() {
        Office.open(tmp.root.toPath()).use { office ->
            val platform = ScanPlatform()
            DoorstepApp.openWithTime(tmp.newFolder("phone").path, generateStoreKey(), Language.ZH, "scan test", "2026-12-07T09:00:00+08:00").use { app ->
                val shell = Shell(app, platform, InlineWorkers, app.screen(), Language.ZH)
                shell.send(Event.Enroll(EnrollEvent.SetServer(office.url)))
                shell.send(Event.Enroll(EnrollEvent.SetCode(office.enrollmentCode())))
                shell.send(Event.Enroll(EnrollEvent.Submit)) // enrolls, then syncs (SyncNow)
                val today = (shell.state.body as Screen.Today).v1
                val household = today.lines.firstNotNullOf { it.householdId }
                shell.send(Event.Today(TodayEvent.OpenHousehold(household)))
                val start = (shell.state.body as Screen.Household).v1.formStarts.first { it.templateId == "shut_off" }
                shell.send(Event.Household(start.event))
                assertTrue(shell.state.body is Screen.Form)

                val seal = "QF-2026-00731"
                platform.frames += Frames.frame(Frames.code128(seal), left = 30, top = 180, rotationDegrees = 90)
                shell.send(Event.Form(FormEvent.Scan("seal_number")))
                assertTrue(Symbology.BARCODE in platform.kindsAsked.single())
                val item = (shell.state.body as Screen.Form).v1.sections.flatMap { it.items }.first { it.id == "seal_number" }
                assertEquals(seal, item.value)
            }
        }
    }

    @Test fun `meter and seal labels are read in Code 128, Code 39 and EAN-13, upright, turned and crosswise`() {
        val barcodes = CodeReader(listOf(Symbology.BARCODE))
        val labels = listOf(
            Frames.code128("HZM-0048213377") to "HZM-0048213377",
            Frames.code39("SEAL-7731") to "SEAL-7731",
            Frames.ean13("690123456789") to "6901234567892", // the writer adds the check digit
        )
        for ((label, text) in labels) {
            for (rotation in listOf(0, 90, 180, 270)) {
                assertEquals(text, barcodes.read(Frames.frame(label, left = 20, top = 150, rotationDegrees = rotation, padding = 16)), "$text at $rotation°")
            }
        }
        // The live camera's quick pass (most frames) reads a clear label held either way.
        for (rotation in listOf(0, 90)) {
            val clear = Frames.frame(Frames.code128("HZM-0048213377"), left = 20, top = 150, noise = 8, rotationDegrees = rotation)
            assertEquals("HZM-0048213377", barcodes.read(clear, thorough = false), "quick at $rotation°")
        }
        // A dim basement: the sensor's noise is stronger than a single row of thin bars can bear.
        for (rotation in listOf(0, 90)) {
            val dim = Frames.frame(Frames.code128("HZM-0048213377"), left = 20, top = 150, noise = 45, rotationDegrees = rotation, seed = 9)
            assertNull(barcodes.read(dim, thorough = false), "the quick pass gives up on it at $rotation°")
            assertEquals("HZM-0048213377", barcodes.read(dim), "noisy at $rotation°")
        }
        // A meter photographed crosswise: the bars run along the frame's rows, and the frame says 0°.
        val crosswise = Frames.frame(Frames.code128("HZM-0048213377"), left = 20, top = 150, rotationDegrees = 90)
        assertEquals("HZM-0048213377", barcodes.read(LumaFrame(crosswise.bytes, crosswise.width, crosswise.height)))
    }

    @Test fun `only the kinds the core asked for are read`() {
        val qrFrame = Frames.frame(Frames.qr("doorstep://enroll?server=x&code=AB12"), left = 150, top = 60)
        val barFrame = Frames.frame(Frames.code128("HZM-1"), left = 20, top = 150)
        assertNull(CodeReader(listOf(Symbology.BARCODE)).read(qrFrame))
        assertNull(CodeReader(listOf(Symbology.QR)).read(barFrame))
        assertEquals("HZM-1", CodeReader(listOf(Symbology.QR, Symbology.BARCODE)).read(barFrame))
        assertNull(CodeReader(listOf(Symbology.QR)).read(Frames.frame(blank(100, 100))), "noise alone is no code")
    }

    @Test fun `turning a frame by any quarter and back gives the same pixels, whatever its row stride`() {
        val random = Random(3)
        repeat(50) {
            val width = random.nextInt(1, 40)
            val height = random.nextInt(1, 40)
            val stride = width + random.nextInt(0, 8)
            val bytes = ByteArray(stride * height).also(random::nextBytes)
            val packed = ByteArray(width * height) { bytes[(it / width) * stride + it % width] }
            for (rotation in listOf(0, 90, 180, 270)) {
                val once = LumaFrame(bytes, width, height, stride, rotation).upright()
                val back = LumaFrame(once.bytes, once.width, once.height, rotationDegrees = (360 - rotation) % 360).upright()
                assertEquals(width to height, back.width to back.height)
                assertContentEquals(packed, back.bytes, "$width×$height stride $stride at $rotation°")
            }
        }
    }

    private fun blank(width: Int, height: Int) = com.google.zxing.common.BitMatrix(width, height)
}
