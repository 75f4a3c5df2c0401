package app.doorstep.ui.days

import androidx.compose.ui.test.junit4.createComposeRule
import app.doorstep.core.FormItemKind
import app.doorstep.core.Office
import app.doorstep.core.Paper
import app.doorstep.core.Screen
import app.doorstep.ui.UiPhone
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/**
 * User story (issue 25): the inspector's day of the app layer's issue (AppDayTest in
 * bindings/kotlin), done by taps on the rendered screens against the real library and a real
 * `doorstep serve`: enrolled on the Enroll screen, the overdue household on Today, its file,
 * the residential inspection answered item by item (the leak test failed: advice typed, its
 * photo taken with the camera), both signatures drawn on the pad, sealed; the seal block says
 * what sealing did and the hazard rectification notice is printed from it; the file shows the
 * shut-off and opens the follow-up order; synced from the Sync screen; the office holds the form,
 * its photo and the follow-up order. Then the app switched to English in Settings.
 */
class InspectorDayTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    @Test fun `an inspector's day is done by taps and held by the office`() {
        val started = System.nanoTime()
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), Instant.now().toString()).use { phone ->
                phone.showAtPhoneWidth()
                val taps = Taps(phone)

                // Enroll: the server's address and the office's one-time code typed, Submit.
                taps.shows("登记本机")
                taps.type(office.url, label = "服务器地址")
                taps.type(office.enrollmentCode(), label = "登记码")
                taps.tap("登记本机")

                // Today, after the first sync the shell ran: 王秀英's inspection is overdue.
                assertEquals("今日工作", taps.title)
                taps.shows("周建国 · 工号 HZ1024")
                taps.shows("上次同步：今天", substring = true)
                taps.tap("入户安检 · 王秀英")

                // Her file: a new residential inspection from its starts.
                assertTrue(phone.state.body is Screen.Household, taps.title)
                taps.tap("新建：居民用户入户安全检查表")
                assertEquals("居民用户入户安全检查表", taps.title)
                taps.shows("还有", substring = true)

                FormTaps(phone, taps).fill(
                    answers = mapOf(
                        "appliances" to "stove",
                        "leak_test" to "fail",
                        "leak_test_method" to "detector",
                        "leak_detector_lel" to "12.5",
                        "leak_points" to "hose",
                        "hose_type" to "stainless_corrugated",
                        "meter_reading" to "1234.5",
                    ),
                )
                val form = (phone.state.body as Screen.Form).v1
                val items = form.sections.flatMap { it.items }.associateBy { it.id }
                assertEquals(1, items.getValue("leak_test").photos.size, "the failed leak test has its photo")
                assertEquals(FormTaps.ADVICE, (items.getValue("leak_test").kind as FormItemKind.Check).advice)
                assertEquals("1234.500 m³", items.getValue("meter_reading").value)
                assertTrue(items.getValue("customer_signature").value!!.contains("已签"))
                assertTrue(items.getValue("technician_signature").value!!.contains("已签"))

                // Seal: the seal block says what it did.
                taps.tap(form.seal.label)
                taps.shows("封存码 ", substring = true)
                taps.shows("已为重大隐患开复查工单", substring = true)
                taps.shows("当场停气（不合格项：各接头及燃气设施无泄漏）", substring = true)

                // The hazard rectification notice for the customer, opened from the seal block and printed.
                val sealed = checkNotNull((phone.state.body as Screen.Form).v1.sealed)
                taps.tap(sealed.copies.single { it.paper == Paper.HAZARD_NOTICE }.open.label)
                val copy = (phone.state.body as? Screen.Copy)?.v1 ?: error("the notice opened 「${taps.title}」")
                assertEquals("隐患整改通知书", copy.title)
                taps.tap(copy.print.label)
                val printed = phone.platform.done.single { it.startsWith("print ") }.removePrefix("print ")
                assertTrue(Files.size(Path.of(printed)) > 0, "the notice's paper is written before it is printed")
                taps.back()

                // Back on the household's file: shut off, with the follow-up order the seal opened.
                taps.back()
                assertTrue(phone.state.body is Screen.Household, taps.title)
                taps.shows("已停气")
                taps.tap("已为重大隐患开复查工单")
                assertTrue(phone.state.body is Screen.WorkOrder, taps.title)
                taps.shows("重大隐患复查", substring = true)
                taps.back()
                assertTrue(phone.state.body is Screen.Household, taps.title)

                // Back to Today, then the sync from the Sync screen.
                taps.back()
                assertEquals("今日工作", taps.title)
                taps.tap("同步")
                assertEquals("同步", taps.title)
                taps.tap("立即同步")
                taps.shows("照片 1 张", substring = true)
                taps.shows("所有更改已上传")

                // The office holds the sealed inspection, its photo and the follow-up order.
                assertEquals(1L, office.held("form", "residential_inspection"))
                assertEquals(1L, office.held("work_order", "重大隐患复查"))
                assertEquals(1L, office.held("household", "\"shut_off\""))
                assertEquals(1L, office.count("SELECT count(*) FROM photos"))

                // Settings: English; Today reads in English.
                taps.back()
                taps.tap("设置")
                taps.tap("English")
                assertEquals("Settings", taps.title)
                taps.back()
                assertEquals("Today", taps.title)
                taps.shows("Today")
                taps.shows("badge HZ1024", substring = true)
            }
        }
        println("android_ui_inspector_day_s ${"%.1f".format((System.nanoTime() - started) / 1e9)}")
    }
}

/** What the office's server holds: how many records of [entity] have all of [texts] in their JSON. */
internal fun Office.held(entity: String, vararg texts: String): Long =
    count(
        "SELECT count(*) FROM records WHERE entity = ?" + " AND instr(body, ?) > 0".repeat(texts.size),
        entity,
        *texts,
    )
