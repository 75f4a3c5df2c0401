package app.doorstep.core

import java.nio.file.Path
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * User story (issue 23): a technician's day driven only through the app's events, against the
 * real library and a real `doorstep serve`, as the Android shell will drive it: enroll on the
 * Enroll screen, sync, read Today in Chinese and in English, open a household, inspect it and
 * find a major hazard (a photo, two signatures, sealed: a follow-up order and the gas shut off),
 * a repair crew's phone closing a pipeline fault, a special-group registration, an outage notice
 * posted at a building; after each sync the office's server holds what the phone did. One
 * function per step, in the order of the day. The same story as
 * bindings/python/tests/test_app_day.py.
 */
class AppDayTest {
    @TempDir
    lateinit var tmp: Path

    @Test
    fun `a technician's whole day is done on the screens and held by the office`() = Office.open(tmp).use { office ->
        Phone.open(tmp.resolve("phone")).use { phone ->
            val enroll = phone.on<Screen.Enroll>().v1
            assertEquals("", enroll.server.value)
            phone.enroll(office.url, office.enrollmentCode())

            // Enrolled: Today, and the first sync the core asked for has run.
            assertEquals(1, phone.syncs)
            var today = phone.on<Screen.Today>().v1
            assertEquals("今日工作", today.title)
            assertTrue("周建国" in today.technician && "HZ1024" in today.technician, today.technician)
            assertFalse(phone.screen.canGoBack, "Today is the first screen: Back leaves the app")
            val orderLine = today.lines.first { it.orderId != null }
            assertTrue(office.orderNumber in orderLine.title, orderLine.title)
            assertTrue("文三路88号" in orderLine.address, orderLine.address)
            assertTrue(orderLine.accessibility.isNotEmpty())

            // The same screen in English.
            phone.send(Event.SetLanguage(Language.EN))
            today = phone.on<Screen.Today>().v1
            assertEquals("Today", today.title)
            assertTrue("badge HZ1024" in today.technician, today.technician)
            phone.send(Event.SetLanguage(Language.ZH))

            // Five minutes on, the core asks for a sync by itself; that pull tells the server
            // the order reached the phone.
            phone.tick(5)
            assertEquals(2, phone.syncs)
            val delivery = office.admin("order", "delivery", office.orderNumber).lines()
            assertTrue(delivery[1].startsWith("reached_phone\t20"), delivery.toString())
            assertEquals("accepted\t-\tnot yet", delivery[2])
            assertEquals(1L, office.count("SELECT count(*) FROM devices"))

            val household = assertNotNull(orderLine.householdId)
            openAHousehold(phone, household)
            inspectAndFindAMajorHazard(phone, office, household)
            closeARepairOnASecondPhone(office)
            registerASpecialGroup(phone, office, household)
            postAnOutageNotice(phone, office)
        }
    }

    /** From Today to the household's file, and Back. */
    private fun openAHousehold(phone: Phone, household: String) {
        phone.send(Event.Today(TodayEvent.OpenHousehold(household)))
        phone.on<Screen.Household>()
        assertTrue(phone.screen.canGoBack)
        assertEquals("返回", phone.screen.backLabel)
        phone.back()
        phone.on<Screen.Today>()
    }

    /** What the office's server holds: how many records of `entity` have all of `texts` in their JSON. */
    private fun Office.held(entity: String, vararg texts: String): Long =
        count(
            "SELECT count(*) FROM records WHERE entity = ?" + " AND instr(body, ?) > 0".repeat(texts.size),
            entity,
            *texts,
        )

    private fun Phone.household(): HouseholdScreen = on<Screen.Household>().v1

    private fun Phone.form(): FormScreen = on<Screen.Form>().v1

    /**
     * Steps 2 and 3: the residential inspection started from the household's own actions,
     * answered item by item with the leak test failed (a major hazard that shuts the gas off:
     * core/src/forms/templates/residential_inspection.json), its photo taken with the camera,
     * both signatures drawn, sealed; the screens show the follow-up order and the shut-off, and
     * after a sync the server holds the sealed form, the follow-up order and the household shut
     * off for the hazard.
     */
    private fun inspectAndFindAMajorHazard(phone: Phone, office: Office, household: String) {
        phone.send(Event.Today(TodayEvent.OpenHousehold(household)))
        val start = phone.household().formStarts.first { it.templateId == "residential_inspection" }
        assertTrue(start.action.enabled)
        assertTrue(start.action.label.startsWith("新建："), start.action.label)
        phone.send(Event.Household(start.event))
        var form = phone.form()
        assertTrue("HZ-0001" in form.subtitle, form.subtitle)
        assertFalse(form.seal.enabled, "nothing is answered yet")
        assertTrue(form.seal.disabledReason!!.startsWith("还有"), form.seal.disabledReason)

        form = phone.fillForm(
            answers = mapOf("leak_test" to "fail", "leak_points" to "hose"),
            signers = mapOf("customer_signature" to "张伟"),
        )
        val leak = form.sections.flatMap { it.items }.first { it.id == "leak_test" }
        assertEquals(1, leak.photos.size, "the failed leak test has its photo")
        assertTrue(leak.photos.all { it.accessibility.isNotEmpty() })
        val signed = form.sections.flatMap { it.items }.filter { it.kind is FormItemKind.Signature }
        assertEquals(2, signed.size)
        assertTrue(signed.all { it.value!!.contains("已签") }, signed.map { it.value }.toString())
        assertTrue(form.seal.enabled, form.seal.disabledReason)
        assertEquals(form.progress.required, form.progress.answered, form.progress.label)

        // The process killed before sealing: the app reopens on the same form, every answer and
        // photo kept (the notice of the last signature is not drawn again).
        val before = phone.screen.body
        assertEquals(before, phone.reopen().body)

        phone.send(Event.Form(FormEvent.Seal))
        val sealed = assertNotNull(phone.form().sealed)
        assertTrue(sealed.digest.startsWith("封存码 "), sealed.digest)
        val consequences = sealed.consequences.joinToString("\n")
        assertTrue("已为重大隐患开复查工单" in consequences, consequences)
        assertTrue("当场停气（不合格项：各接头及燃气设施无泄漏）" in consequences, consequences)
        assertTrue(sealed.copies.size >= 2, "the visit report and the hazard rectification notice")

        // The same outcome in English.
        phone.send(Event.SetLanguage(Language.EN))
        val english = assertNotNull(phone.form().sealed).consequences.joinToString("\n")
        assertTrue("follow-up order opened for a major hazard" in english, english)
        assertTrue("gas shut off on the spot (failed check: No leak at any joint or gas fitting)" in english, english)
        phone.send(Event.SetLanguage(Language.ZH))

        // Back on the household's file: shut off for the hazard, with its follow-up order.
        phone.back()
        val file = phone.household()
        assertTrue(file.supply.off, file.supply.toString())
        assertTrue(file.badges.isNotEmpty(), "the hazard and the shut-off are badged")
        assertTrue(file.timeline.any { "复查工单" in it.text }, file.timeline.map { it.text }.toString())
        assertEquals("已停气", file.supply.status)
        assertTrue(file.badges.any { it.label == "已停气" }, file.badges.toString())
        phone.send(Event.SetLanguage(Language.EN))
        assertEquals("shut off", phone.household().supply.status)
        assertTrue(phone.household().badges.any { it.label == "gas shut off" }, phone.household().badges.toString())
        phone.send(Event.SetLanguage(Language.ZH))
        val followUp = file.timeline.first { "重大隐患复查" in it.text || "复查工单" in it.text }
        assertTrue(followUp.opens != null, "the follow-up order opens from the timeline")
        phone.back()
        phone.on<Screen.Today>()

        val forms = office.held("form")
        phone.sync()
        assertEquals(forms + 1, office.held("form"))
        assertEquals(1L, office.held("form", "residential_inspection"))
        assertEquals(1L, office.held("work_order", "重大隐患复查"))
        assertEquals(1L, office.held("household", "\"shut_off\""))
        assertEquals(1L, office.held("household", "\"hazard\""))
        assertEquals(1L, office.count("SELECT count(*) FROM photos"))
    }

    /**
     * Step 4: a repair crew's phone (a second technician, enrolled on a phone of its own)
     * accepts the pipeline fault the office opened for it, goes, checks in near the household,
     * closes it with the repair-closing form (repaired, a valve charged in cash with its receipt,
     * shown on the order and the Fees screen) and syncs: the server holds the order resolved and
     * the form with its charge.
     */
    private fun closeARepairOnASecondPhone(office: Office) {
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
        Phone.open(tmp.resolve("crew-phone")).use { crewPhone ->
            crewPhone.enroll(office.url, office.admin("enroll", repairer))
            val line = crewPhone.on<Screen.Today>().v1.lines.first { number in it.title }
            assertNotNull(line.countdown, "a pipeline fault runs against its clocks")
            crewPhone.send(Event.Today(TodayEvent.OpenOrder(assertNotNull(line.orderId))))
            var order = crewPhone.on<Screen.WorkOrder>().v1
            assertTrue(number in order.title, order.title)
            assertTrue(order.countdowns.any { "到场" in it.label }, order.countdowns.toString())
            fun tap(event: OrderEvent) {
                val button = crewPhone.on<Screen.WorkOrder>().v1.actions.first { it.event == event }
                assertTrue(button.action.enabled, "${button.action.label}: ${button.action.disabledReason}")
                crewPhone.send(Event.Order(event))
            }
            tap(OrderEvent.ACCEPT)
            tap(OrderEvent.ON_THE_WAY)
            crewPhone.position = Triple(30.27112, 120.12108, 6.0) // at HZ-0002's door
            tap(OrderEvent.CHECK_IN)
            order = crewPhone.on<Screen.WorkOrder>().v1
            assertTrue(order.steps.size >= 3, order.steps.toString())
            tap(OrderEvent.CLOSE)
            // The valve charged at the published price, paid in cash against receipt R-7: before
            // the signatures, which cover what was charged.
            val valve = listOf(FormChargeLine("更换灶前阀", 1L, 3500L))
            crewPhone.send(Event.Form(FormEvent.Charges("charges", valve, null, "")))
            val unpaid = crewPhone.form().sections.flatMap { it.items }.first { it.id == "charges" }
            assertTrue(unpaid.problems.any { "收费方式" in it }, unpaid.problems.toString())
            crewPhone.send(Event.Form(FormEvent.Charges("charges", valve, PaymentMethod.CASH, "R-7")))
            assertTrue(crewPhone.form().sections.flatMap { it.items }.first { it.id == "charges" }.problems.isEmpty())
            val form = crewPhone.fillForm(
                answers = mapOf(
                    "fault_category" to "valve",
                    "repair_result" to "repaired",
                    "charge_note" to "更换灶前阀一只，按公示价格收费35元",
                ),
                signers = mapOf("customer_signature" to "王秀英"),
            )
            assertTrue(form.seal.enabled, form.seal.disabledReason)
            crewPhone.send(Event.Form(FormEvent.Seal))
            val sealed = assertNotNull(crewPhone.form().sealed).consequences
            assertTrue(sealed.any { number in it && "已处理完毕" in it }, sealed.toString())
            crewPhone.back()
            order = crewPhone.on<Screen.WorkOrder>().v1
            val status = order.facts.first { it.label == "状态" }
            assertEquals("已处理完毕", status.value)
            assertEquals("已处理完毕", order.steps.last().status)
            assertTrue(order.actions.none { it.event == OrderEvent.CLOSE && it.action.enabled })
            val charged = order.charges.single()
            assertEquals("更换灶前阀", charged.item)
            assertEquals("¥35.00", charged.total)
            assertTrue("35.00" in order.chargesTotal.orEmpty(), order.chargesTotal)
            crewPhone.send(Event.SetLanguage(Language.EN))
            val english = crewPhone.on<Screen.WorkOrder>().v1
            assertTrue(english.facts.any { it.value == "resolved" }, english.facts.toString())
            crewPhone.send(Event.SetLanguage(Language.ZH))

            // The day's takings to hand in, on the Fees screen.
            crewPhone.send(Event.OpenLink("doorstep://fees"))
            val fees = crewPhone.on<Screen.Fees>().v1
            assertEquals("收费与日结", fees.title)
            assertEquals("合计 ¥35.00", fees.total)
            assertEquals("收据 R-7", fees.collections.single().receipt)
            assertEquals("现金", fees.handIn.single().method)
            crewPhone.sync()
        }
        assertEquals(1L, office.held("work_order", number, "\"resolved\""))
        assertEquals(1L, office.held("form", "repair_closing", "\"R-7\"", "3500"))
    }

    /**
     * Step 5: the household is registered as a special group (an elderly person living alone):
     * the registration form started from its file, sealed, synced; the file shows it and the
     * server holds the sealed registration.
     */
    private fun registerASpecialGroup(phone: Phone, office: Office, household: String) {
        phone.send(Event.Today(TodayEvent.OpenHousehold(household)))
        assertNull(phone.household().specialGroup)
        val start = phone.household().formStarts.first { it.templateId == "special_group_registration" }
        phone.send(Event.Household(start.event))
        phone.fillForm(
            answers = mapOf("groups" to "elderly", "contact_phone" to "13700001111", "contact_name" to "张小明"),
            signers = mapOf("customer_signature" to "张伟"),
        )
        phone.send(Event.Form(FormEvent.Seal))
        assertNotNull(phone.form().sealed)
        phone.back()
        val group = assertNotNull(phone.household().specialGroup)
        assertTrue(group.groups.isNotEmpty(), group.toString())
        phone.back()
        phone.sync()
        assertEquals(1L, office.held("form", "special_group_registration"))
    }

    /**
     * Step 6: the office announces a planned outage over the district; on the phone, Today's
     * banner opens the Outage screen, the notice is posted at the building, and after a sync
     * the office sees the building's household told by a posted notice (the other one's gas is
     * already off for the hazard).
     */
    private fun postAnOutageNotice(phone: Phone, office: Office) {
        val starts = java.time.Instant.parse(phone.app.nowIso()).plus(java.time.Duration.ofDays(2))
        val outage = office.admin(
            "outage", "create", "--title", "文三路管网检修停气", "--reason", "pipeline_inspection",
            "--starts", starts.toString(), "--ends", starts.plus(java.time.Duration.ofHours(8)).toString(),
            "--district", office.district,
        )
        phone.sync()
        val banner = phone.on<Screen.Today>().v1.outages.first { it.outageId == outage }
        assertTrue("停气" in banner.text, banner.text)
        phone.send(Event.Today(TodayEvent.OpenOutage(outage)))
        var screen = phone.on<Screen.Outage>().v1
        assertEquals("文三路管网检修停气", screen.noticeTitle)
        assertEquals("管网检测", screen.reason)
        assertEquals(1u, screen.buildingsTotal)
        assertEquals("已通知 0/1 栋", screen.progress)
        val building = screen.buildings.single()
        // 张伟's gas is off for the hazard since the inspection: the outage affects 王秀英 only.
        assertEquals(listOf("王秀英"), building.households.map { it.name })
        assertEquals("未通知", building.households.single().status)
        assertTrue(building.postNotice.enabled)

        phone.send(Event.Outage(OutageEvent.NoticePosted(building.key)))
        assertTrue("1 户已通知" in phone.screen.notice.toString(), phone.screen.notice.toString())
        screen = phone.on<Screen.Outage>().v1
        assertEquals("已通知 1/1 栋", screen.progress)
        assertFalse(screen.buildings.single().postNotice.enabled)

        phone.send(Event.SetLanguage(Language.EN))
        assertEquals("1 of 1 buildings told", phone.on<Screen.Outage>().v1.progress)
        phone.send(Event.SetLanguage(Language.ZH))

        phone.sync()
        val told = office.admin("outage", "households", outage).lines()
        assertEquals(1, told.count { it.startsWith("HZ-0002\tnotice_posted 20") }, told.toString())
        assertTrue(told.none { "PENDING" in it || "LATE" in it }, told.toString())
    }

    @Test
    fun `the app killed on the Enroll screen reopens with what was typed`() {
        Phone.open(tmp.resolve("phone")).use { phone ->
            phone.send(Event.Enroll(EnrollEvent.SetServer("https://doorstep.hz-gas.example")))
            phone.send(Event.Enroll(EnrollEvent.SetCode("7K2Q-9XWD")))
            val before = phone.app.screen()
            phone.reopen()
            assertEquals(before, phone.app.screen())
            assertEquals("https://doorstep.hz-gas.example", phone.on<Screen.Enroll>().v1.server.value)
        }
    }

    @Test
    fun `an event for another screen is refused and changes nothing`() {
        Phone.open(tmp.resolve("phone")).use { phone ->
            val before = phone.app.screen()
            val refused = assertFailsWith<DoorstepException.WrongScreen> {
                phone.send(Event.Today(TodayEvent.Refresh))
            }
            assertEquals("enroll", refused.screen)
            assertEquals(before, phone.app.screen())
        }
    }
}
