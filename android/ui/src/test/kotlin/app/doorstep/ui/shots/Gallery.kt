package app.doorstep.ui.shots

import app.doorstep.core.ActionEvent
import app.doorstep.core.ActionField
import app.doorstep.core.CopyEvent
import app.doorstep.core.Event
import app.doorstep.core.FeesEvent
import app.doorstep.core.FormChargeLine
import app.doorstep.core.FormCheckMark
import app.doorstep.core.FormEvent
import app.doorstep.core.FormItemKind
import app.doorstep.core.EnrollEvent
import app.doorstep.core.HouseholdEvent
import app.doorstep.core.Language
import app.doorstep.core.Office
import app.doorstep.core.OrderEvent
import app.doorstep.core.PaymentMethod
import app.doorstep.core.Screen
import app.doorstep.core.ScreenState
import app.doorstep.core.SearchEvent
import app.doorstep.core.SignatureEvent
import app.doorstep.core.TodayEvent
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.writeText

/**
 * Every screen of docs/screens.md with real content, for the screenshot and accessibility tests:
 * a real [Office] (`doorstep serve` set up with `doorstep admin`) and a real DoorstepApp on a
 * fixed clock ([NOW]) walked through a technician's morning by the app's own events. Each shot
 * is the core's record in Chinese and in English, taken on the same screen.
 *
 * The phone is a technician of a crew of its own (HZ2048 李强, 抢修二班) so that its work is only
 * the orders made here, each reported at a fixed time: the fixture's order is reported at the
 * real time the test runs, and its clocks would move from run to run.
 *
 * Built once per JVM ([shots]); the phone's folder stays under target/gallery for the run (the
 * screens draw the photo thumbnails and the signature preview from the files the core wrote).
 */
object Gallery {
    /** The phone's clock: a Monday morning. */
    const val NOW = "2026-12-07T10:00:00+08:00"

    /** The server's address as drawn (the real one is a loopback port that changes every run). */
    const val SERVER = "https://doorstep.hz-gas.example"

    /** One screen: its name (the reference's file name) and the core's record in each language. */
    data class Shot(val name: String, val zh: ScreenState, val en: ScreenState) {
        fun state(language: Language) = if (language == Language.ZH) zh else en

        override fun toString() = name
    }

    val shots: List<Shot> by lazy { build() }

    fun shot(name: String): Shot = shots.first { it.name == name }

    private fun build(): List<Shot> {
        val root = Path.of("target", "gallery").toAbsolutePath()
        root.toFile().deleteRecursively()
        Files.createDirectories(root)
        return Office.open(root).use { office -> Walk(office, root).run() }
    }

    private class Walk(val office: Office, val root: Path) {
        val shots = mutableListOf<Shot>()
        val phone = GalleryPhone(Files.createDirectories(root.resolve("phone")), NOW)
        lateinit var technician: String
        lateinit var outage: String

        /** The office's morning: a crew and technician, a third household, two orders, an outage. */
        fun setUp() {
            val crew = office.admin("crew", "add", "--name", "抢修二班", "--district", office.district)
            technician = office.admin(
                "technician", "add", "--badge", "HZ2048", "--name", "李强", "--role", "crew_leader",
                "--crew", crew, "--district", office.district,
            )
            val csv = root.resolve("more-households.csv")
            csv.writeText(
                """
                customer_number,name,phone,district_id,address_district,street,building,unit,room,lat,lon,category,gas_on_date,last_inspection_at,special_group,supply
                HZ-0003,李文华,13700001234,${office.district},西湖区,文三路90号,1,1,301,30.2716,120.1216,residential,2018-03-01,2025-01-10T10:00:00+08:00,disabled,active
                HZ-0004,赵新,13600005678,${office.district},西湖区,文三路90号,1,1,302,30.2716,120.1216,residential,,,,not_connected
                """.trimIndent() + "\n",
            )
            office.admin("household", "import", csv.toString())
            office.admin(
                "order", "create", "--number", FAULT, "--kind", "pipeline_fault", "--source", "phone",
                "--household", "HZ-0001", "--assignee", technician, "--description", "楼道内闻到燃气味",
                "--reported-at", "2026-12-07T08:40:00+08:00",
            )
            office.admin(
                "order", "create", "--number", HEATER, "--kind", "user_equipment_fault", "--source", "phone",
                "--household", "HZ-0002", "--assignee", technician, "--description", "热水器打不着火",
                "--reported-at", "2026-12-07T08:10:00+08:00",
                "--appointment-from", "2026-12-07T14:00:00+08:00", "--appointment-to", "2026-12-07T15:00:00+08:00",
            )
            // An emergency notice (less than the 24 h lead): a planned one must start 24 h after
            // the real time the test runs, and its dates would move from run to run.
            outage = office.admin(
                "outage", "create", "--title", "文三路管网检修停气", "--reason", "repair",
                "--starts", "2026-12-08T09:00:00+08:00", "--ends", "2026-12-08T17:00:00+08:00",
                "--district", office.district, "--emergency", "--emergency-reason", "主干管破损抢修",
            )
        }

        /** The screen shown, in Chinese and in English, with [fix] applied to both. */
        fun take(name: String, fix: (ScreenState, Language) -> ScreenState = { it, _ -> it }) {
            val zh = phone.screen
            phone.send(Event.SetLanguage(Language.EN))
            val en = phone.screen
            phone.send(Event.SetLanguage(Language.ZH))
            check(zh.body::class == en.body::class) { "$name: the language changed the screen" }
            shots += Shot(name, fix(zh, Language.ZH), fix(en, Language.EN))
        }

        fun send(event: Event) = phone.send(event)

        fun run(): List<Shot> = phone.use {
            setUp()
            take("enroll")

            send(Event.Enroll(EnrollEvent.SetServer(office.url)))
            send(Event.Enroll(EnrollEvent.SetCode("ZZZZ-9999")))
            send(Event.Enroll(EnrollEvent.Submit))
            check(phone.on<Screen.Enroll>().v1.code.problem != null) { "a wrong code has its problem" }
            take("enroll_problem", ::fixServer)

            send(Event.Enroll(EnrollEvent.SetCode(office.admin("enroll", technician))))
            send(Event.Enroll(EnrollEvent.Submit))
            val today = phone.on<Screen.Today>().v1
            take("today")

            val fault = today.lines.first { FAULT in it.title }
            send(Event.Today(TodayEvent.OpenHousehold(checkNotNull(fault.householdId))))
            take("household", ::fixHousehold)
            send(Event.Back)

            send(Event.Today(TodayEvent.OpenOrder(checkNotNull(fault.orderId))))
            take("order", ::fixOrder)
            send(Event.Back)

            // Hand back the water heater's order: the field action with its reason typed.
            val heater = today.lines.first { HEATER in it.title }
            send(Event.Today(TodayEvent.OpenOrder(checkNotNull(heater.orderId))))
            send(Event.Order(OrderEvent.HAND_BACK))
            send(Event.Action(ActionEvent.SetText(ActionField.Reason, "用户本周出差，要求改到下周")))
            take("action")
            send(Event.Back)
            send(Event.Back)

            // An inspection at 王秀英's: the first answers, the leak test failed with its advice
            // and its photo; then the customer's signature drawn on the pad.
            send(Event.Today(TodayEvent.OpenHousehold(checkNotNull(heater.householdId))))
            val start = phone.on<Screen.Household>().v1.formStarts.first { it.templateId == "residential_inspection" }
            send(Event.Household(start.event))
            send(Event.Form(FormEvent.Locate("visit_location")))
            val appliances = phone.item("appliances").kind as FormItemKind.MultipleChoice
            send(Event.Form(FormEvent.Toggle("appliances", appliances.options.first().id)))
            send(Event.Form(FormEvent.Check("leak_test", FormCheckMark.FAIL)))
            send(Event.Form(FormEvent.Advice("leak_test", GalleryPhone.ADVICE)))
            send(Event.Form(FormEvent.TakePhoto("leak_test")))
            check(phone.item("leak_test").photos.size == 1) { "the failed leak test has its photo" }
            take("form")
            send(Event.Form(FormEvent.Sign("customer_signature")))
            phone.draw()
            take("signature")
            send(Event.Signature(SignatureEvent.Cancel))
            send(Event.Back)
            send(Event.Back)

            send(Event.Today(TodayEvent.OpenSync))
            take("sync")
            send(Event.Back)

            send(Event.Today(TodayEvent.OpenSearch))
            send(Event.Search(SearchEvent.SetQuery("文三路")))
            take("search")
            send(Event.Back)

            send(Event.Today(TodayEvent.OpenSettings))
            take("settings", ::fixSettings)
            send(Event.Back)

            send(Event.Today(TodayEvent.OpenOutage(outage)))
            take("outage")
            send(Event.Back)

            turnTheGasOn()
            send(Event.OpenLink("doorstep://fees"))
            val fees = phone.on<Screen.Fees>().v1
            check(fees.collections.size == 1) { "the valve was charged: ${fees.empty}" }
            take("fees")
            send(Event.Fees(FeesEvent.OpenReceipt(fees.collections.single().formId)))
            send(Event.Copy(CopyEvent.REFRESH))
            take("copy", ::fixCopy)
            send(Event.Back)
            send(Event.Back)

            // Six minutes without a tap: the next Tick locks the app.
            phone.tick(6)
            phone.on<Screen.Locked>()
            take("locked")
            shots
        }

        /**
         * A new flat's gas turned on (赵新, HZ-0004): the acceptance form answered whole, the
         * connection fee collected in cash against receipt R-7, signed and sealed. (Not the
         * fault's closing: its office steps are stamped at the real time of the run, after the
         * phone's clock, so the phone cannot accept it.)
         */
        fun turnTheGasOn() {
            send(Event.Today(TodayEvent.OpenSearch))
            send(Event.Search(SearchEvent.SetQuery("HZ-0004")))
            val flat = phone.on<Screen.Search>().v1.results.single()
            send(Event.Search(SearchEvent.Open(flat.householdId)))
            val start = phone.on<Screen.Household>().v1.formStarts.first { it.templateId == "acceptance_gas_on" }
            send(Event.Household(start.event))
            val fee = listOf(FormChargeLine("通气点火服务费", 1L, 5000L), FormChargeLine("燃气报警器", 1L, 12800L))
            send(Event.Form(FormEvent.Charges("charges", fee, PaymentMethod.CASH, "R-7")))
            phone.fillForm(answers = mapOf("meter_serial" to "LJ-20261207-0302"), signers = mapOf("customer_signature" to "赵新"))
            send(Event.Form(FormEvent.Seal))
            checkNotNull(phone.form().sealed) { "the acceptance form is sealed" }
            send(Event.Back)
            send(Event.Back)
            send(Event.Back)
            phone.on<Screen.Today>()
        }

        // The server's address is a loopback port chosen for this run.
        fun fixServer(state: ScreenState, language: Language): ScreenState {
            val enroll = (state.body as Screen.Enroll).v1
            val server = enroll.server.copy(
                value = enroll.server.value.replace(office.url, SERVER),
                accessibility = enroll.server.accessibility.replace(office.url, SERVER),
            )
            return state.copy(body = Screen.Enroll(enroll.copy(server = server)))
        }

        // The fixture's order (Office.kt) is reported and dispatched at the real time of the run.
        fun fixHousehold(state: ScreenState, language: Language): ScreenState {
            val household = (state.body as Screen.Household).v1
            val timeline = household.timeline.map { line ->
                if (office.orderNumber !in line.text) return@map line
                val fixed = if (language == Language.ZH) "今天 09:05" else "today 09:05"
                line.copy(`when` = fixed, accessibility = line.accessibility.replace(line.`when`, fixed))
            }
            return state.copy(body = Screen.Household(household.copy(timeline = timeline)))
        }

        // The office dispatches an order at the real time of the run (`order create --assignee`).
        fun fixOrder(state: ScreenState, language: Language): ScreenState {
            val order = (state.body as Screen.WorkOrder).v1
            val steps = order.steps.map { step ->
                if (step.status != "已派工" && step.status != "dispatched") return@map step
                val fixed = if (language == Language.ZH) "今天 08:42" else "today 08:42"
                step.copy(`when` = fixed, accessibility = step.accessibility.replace(step.`when`, fixed))
            }
            return state.copy(body = Screen.WorkOrder(order.copy(steps = steps)))
        }

        // The file is named after the form's id, a new random id every run.
        fun fixCopy(state: ScreenState, language: Language): ScreenState {
            val copy = (state.body as Screen.Copy).v1
            val id = copy.fileName.substringAfter('-').substringBeforeLast('.')
            return state.copy(
                body = Screen.Copy(
                    copy.copy(
                        fileName = copy.fileName.replace(id, FORM_ID),
                        description = copy.description.replace(id, FORM_ID),
                        accessibility = copy.accessibility.replace(id, FORM_ID),
                        summary = copy.summary.map { it.copy(value = it.value.replace(id, FORM_ID)) },
                    ),
                ),
            )
        }

        fun fixSettings(state: ScreenState, language: Language): ScreenState {
            val settings = (state.body as Screen.Settings).v1
            return state.copy(
                body = Screen.Settings(
                    settings.copy(
                        // A new random id for every store.
                        device = settings.device.copy(value = "0193a5e2-7c4b-7d31-9f10-2b8c4d6e8f08"),
                        // The loopback port of this run's server.
                        server = settings.server.copy(value = settings.server.value.replace(office.url, SERVER)),
                        // The store's and the vault's bytes differ with every run's random ids and keys.
                        storeSize = settings.storeSize.copy(value = "1.2 MB"),
                    ),
                ),
            )
        }
    }

    const val FORM_ID = "0193a5f0-3c2e-7d31-8a10-5b8c4d6e8f11"
    const val FAULT = "GZ-20261207-001"
    const val HEATER = "HN-20261207-002"
}
