package app.doorstep.ui.days

import androidx.compose.ui.test.junit4.createComposeRule
import app.doorstep.core.Event
import app.doorstep.core.FormItemKind
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.ui.UiPhone
import app.doorstep.ui.shell.Fix
import java.time.Instant
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/**
 * User story (issue 25): the repair crew's day of the app layer's issue, done by taps on the
 * rendered screens against the real library and a real `doorstep serve`: a repair technician
 * enrolls his own phone, the office's urgent pipeline fault reaches it with a notification,
 * tapping the notification opens the order, he accepts it, goes, checks in at the door (the
 * platform answers the position), closes it with the repair closing form answered and signed
 * by taps, seals it, and after a sync the office holds the order resolved.
 */
class CrewDayTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    @Test fun `a repair crew closes an urgent pipeline fault by taps`() {
        val started = System.nanoTime()
        Office.open(tmp.root.toPath()).use { office ->
            val crew = office.admin("crew", "list").lines().first().substringBefore('\t')
            val repairer = office.admin(
                "technician", "add", "--badge", "HZ2048", "--name", "李强", "--role", "repair_technician",
                "--crew", crew, "--district", office.district,
            )
            val number = "WO-20261128-002"
            office.admin(
                "order", "create", "--number", number, "--kind", "pipeline_fault", "--source", "phone",
                "--household", "HZ-0002", "--assignee", repairer, "--description", "灶前阀漏气",
            )
            UiPhone(rule, tmp.newFolder("crew-phone").toPath(), Instant.now().toString()).use { phone ->
                phone.showAtPhoneWidth()
                val taps = Taps(phone)

                // His own phone, enrolled with his own code.
                taps.type(office.url, label = "服务器地址")
                taps.type(office.admin("enroll", repairer), label = "登记码")
                taps.tap("登记本机")
                assertEquals("今日工作", taps.title)
                taps.shows("李强 · 工号 HZ2048")
                taps.shows("管网故障 · $number")

                // The first sync brought the urgent fault: the platform shows its notification.
                val notification = phone.platform.notified.single { it.urgent }
                assertTrue(notification.title.startsWith("紧急工单：管网故障"), notification.title)
                assertTrue(number in notification.body, notification.body)
                // A notification shows on a locked screen: the kind and the deadline, no address, no person.
                assertTrue(listOf("文三路", "王秀英").none { it in notification.title + notification.body }, notification.body)
                // Tapping it is the platform's: it opens the app with the link.
                rule.runOnIdle { phone.shell.send(Event.OpenLink(notification.link)) }
                taps.idle()
                assertTrue(phone.state.body is Screen.WorkOrder, taps.title)
                assertEquals("管网故障 $number", taps.title)
                taps.shows("到场处置", substring = true)

                taps.tap("接单")
                taps.tap("出发")
                phone.platform.position = Fix(30.27112, 120.12108, 6.0) // at HZ-0002's door
                taps.tap("到场打卡")
                taps.shows("已到场打卡")
                taps.tap("填写结单表")

                // On the repair closing form the valve replaced is charged first, field by field, as
                // typed at the door: 1 × ¥35.00 in cash, receipt R-7.
                val charges = "form.item.charges"
                val kind = chargesOf(phone)
                taps.tap(kind.addLine.label, within = charges)
                val line = chargesOf(phone).lines.single()
                assertEquals("1", line.quantity)
                taps.type("更换灶前阀", label = line.itemLabel, within = "$charges.line.0")
                taps.type("35.", label = line.unitPriceLabel, within = "$charges.line.0")
                // "35." waits with its problem beside the line, and Seal waits for it.
                val waiting = checkNotNull(chargesOf(phone).lines.single().problem)
                taps.shows(waiting)
                val seal = (phone.state.body as Screen.Form).v1.seal
                assertEquals("有未填完的收费", seal.disabledReason)
                taps.shows(checkNotNull(seal.disabledReason))
                taps.type("35", label = line.unitPriceLabel, within = "$charges.line.0")
                check(chargesOf(phone).lines.single().total == "¥35.00")
                taps.shows("¥35.00")
                val cash = kind.methods.single { it.id == "cash" }
                taps.tap(cash.label, within = charges)
                taps.type("R-7", label = kind.receiptLabel, within = charges)
                taps.shows(chargesOf(phone).total)
                assertEquals("¥35.00", chargesOf(phone).total)
                assertTrue(chargesOf(phone).methods.single { it.id == "cash" }.selected)

                // The repair closing form, answered and signed by taps, sealed.
                val form = FormTaps(phone, taps).fill(
                    answers = mapOf(
                        "fault_category" to "valve",
                        "fault_found" to "灶前阀阀芯密封圈老化漏气",
                        "repair_result" to "repaired",
                        "cause" to "密封圈老化",
                        "work_done" to "更换灶前阀一只，检漏合格后恢复供气",
                        "test_after_repair" to "pass",
                    ),
                )
                assertTrue(form.seal.enabled, form.seal.disabledReason.toString())
                taps.tap(form.seal.label)
                taps.shows("封存码 ", substring = true)
                val consequences = checkNotNull((phone.state.body as Screen.Form).v1.sealed).consequences
                assertTrue(consequences.any { number in it && "已处理完毕" in it }, consequences.toString())
                taps.shows(consequences.first { number in it }, substring = true)

                // Back on the order: resolved, and Today's sync sends it to the office.
                taps.back()
                assertTrue(phone.state.body is Screen.WorkOrder, taps.title)
                taps.shows("已处理完毕")
                taps.back()
                assertEquals("今日工作", taps.title)
                taps.tap("同步")
                taps.tap("立即同步")
                taps.shows("所有更改已上传")

                // The day's takings, on the Fees screen opened from Today: the collection and the cash to hand in.
                taps.back()
                assertEquals("今日工作", taps.title)
                val today = (phone.state.body as Screen.Today).v1
                taps.tap(today.fees.label)
                val fees = (phone.state.body as Screen.Fees).v1
                assertEquals("收据 R-7", fees.collections.single().receipt)
                taps.shows(fees.collections.single().receipt, within = "fees.collection.${fees.collections.single().formId}")
                val handIn = fees.handIn.single()
                assertEquals("现金" to "¥35.00", handIn.method to handIn.amount)
                taps.shows(handIn.method, within = "fees.hand_in")
                taps.shows(handIn.amount, within = "fees.hand_in")
                taps.shows("合计 ¥35.00", within = "fees.total")
            }
            assertEquals(1L, office.held("work_order", number, "\"resolved\""))
            assertEquals(1L, office.held("form", "repair_closing"))
            // The office holds the money collected: the receipt and the price in fen.
            assertEquals(1L, office.held("form", "repair_closing", "\"R-7\"", "3500"))
            val delivery = office.admin("order", "delivery", number).lines()
            assertTrue(delivery.any { it.startsWith("accepted\t20") }, delivery.toString())
            // Its clocks (handle within 6 h, repair within 24 h) are met in the office's books.
            val clocks = office.admin("order", "deadlines", number).lines()
            assertEquals(listOf("handle", "repair"), clocks.map { it.substringBefore('\t') }, clocks.toString())
            assertTrue(clocks.all { it.split('\t')[2] == "met" }, clocks.toString())
        }
        println("android_ui_crew_day_s ${"%.1f".format((System.nanoTime() - started) / 1e9)}")
    }

    private fun chargesOf(phone: UiPhone): FormItemKind.Charges =
        (phone.state.body as Screen.Form).v1.sections.flatMap { it.items }.single { it.id == "charges" }.kind as FormItemKind.Charges
}
