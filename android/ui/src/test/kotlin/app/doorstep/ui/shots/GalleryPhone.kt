package app.doorstep.ui.shots

import app.doorstep.core.AppListener
import app.doorstep.core.DoorstepApp
import app.doorstep.core.Event
import app.doorstep.core.FormCheckMark
import app.doorstep.core.FormEvent
import app.doorstep.core.FormItem
import app.doorstep.core.FormItemKind
import app.doorstep.core.FormScreen
import app.doorstep.core.InkPoint
import app.doorstep.core.Language
import app.doorstep.core.Screen
import app.doorstep.core.ScreenState
import app.doorstep.core.SignatureEvent
import app.doorstep.core.Update
import app.doorstep.core.generateStoreKey
import app.doorstep.ui.TestPlatform
import app.doorstep.ui.shell.EffectDispatcher
import app.doorstep.ui.shell.Outcome
import app.doorstep.ui.shell.Platform
import java.nio.file.Path

/**
 * A phone for the gallery: the real [DoorstepApp] on a hand-set clock, its effects carried out by
 * the shell's real [EffectDispatcher] on the [TestPlatform] (camera fixtures, a fixed position),
 * except the lock prompt, which is left unanswered so that the Locked screen stays to be drawn.
 * Events go straight to the core (no UI): a refused event throws, so a gallery that cannot
 * reach a screen fails instead of drawing the wrong one.
 */
class GalleryPhone(folder: Path, now: String) : AutoCloseable {
    val platform = HeldLock(TestPlatform())
    val app: DoorstepApp = DoorstepApp.openWithTime(folder.toString(), generateStoreKey(), Language.ZH, "gallery phone", now)
    var screen: ScreenState = app.screen()
        private set
    private val effects = EffectDispatcher(platform, answer = { send(it) }, runSync = ::sync, runEnrollment = ::enroll)

    /** Sends [event]; the new screen is kept and its effects carried out (answers included). */
    fun send(event: Event): ScreenState {
        val update = app.handle(event)
        screen = update.screen
        effects.carryOut(update.effects)
        return screen
    }

    fun sync() = done(app.runSync(object : AppListener {
        override fun onUpdate(update: Update) = Unit
    }))

    private fun enroll() = done(app.runEnrollment())

    private fun done(update: Update) {
        screen = update.screen
        effects.carryOut(update.effects)
    }

    /** Minutes pass on the app's clock and the Activity's timer sends its Tick. */
    fun tick(minutes: Int) {
        app.advanceMinutes(minutes.toUInt())
        send(Event.Tick)
    }

    /** The screen's record, which must be a [T]. */
    inline fun <reified T : Screen> on(): T {
        val body = screen.body
        check(body is T) { "expected ${T::class.simpleName}, got ${body::class.simpleName}" }
        return body
    }

    fun form(): FormScreen = on<Screen.Form>().v1

    fun item(id: String): FormItem = form().sections.flatMap { it.items }.first { it.id == id }

    /**
     * Answers the form shown until its Seal is enabled, as AppDriver.fillForm does in the bindings'
     * tests: each item still wanted gets [answers]' answer for its id, else the first option, a
     * pass, a plain number or text; a failed check its advice and photo; a signature drawn and
     * named from [signers].
     */
    fun fillForm(answers: Map<String, String> = emptyMap(), signers: Map<String, String> = emptyMap()): FormScreen {
        val tries = mutableMapOf<String, Int>()
        while (true) {
            val form = form()
            if (form.seal.enabled || form.sealed != null) return form
            val item = form.sections.flatMap { it.items }.firstOrNull { item ->
                item.editable && item.kind !is FormItemKind.Charges &&
                    (item.problems.isNotEmpty() || (item.required && item.value == null)) &&
                    (tries[item.id] ?: 0) < 5
            } ?: error("the form cannot be sealed: ${form.seal.disabledReason} ${form.formProblems}")
            tries.merge(item.id, 1, Int::plus)
            answer(item, answers[item.id], signers)
        }
    }

    private fun answer(item: FormItem, given: String?, signers: Map<String, String>) {
        fun form(event: FormEvent) = send(Event.Form(event))
        when (val kind = item.kind) {
            is FormItemKind.Check -> when {
                item.value == null -> form(
                    FormEvent.Check(
                        item.id,
                        when (given) {
                            "fail" -> FormCheckMark.FAIL
                            "na" -> FormCheckMark.NOT_APPLICABLE
                            else -> FormCheckMark.PASS
                        },
                    ),
                )
                kind.adviceWanted && kind.advice.isEmpty() -> form(FormEvent.Advice(item.id, ADVICE))
                else -> form(FormEvent.TakePhoto(item.id))
            }
            is FormItemKind.Number -> form(FormEvent.Type(item.id, given ?: kind.min ?: "1"))
            is FormItemKind.MeterReading -> form(FormEvent.Type(item.id, given ?: "1234.5"))
            is FormItemKind.Text -> form(FormEvent.Type(item.id, given ?: "已按规程处理"))
            is FormItemKind.SingleChoice -> form(FormEvent.Choose(item.id, given ?: kind.options.first().id))
            is FormItemKind.MultipleChoice -> form(FormEvent.Toggle(item.id, given ?: kind.options.first().id))
            is FormItemKind.Date -> kind.initial.let { form(FormEvent.PickDate(item.id, it.year, it.month, it.day)) }
            is FormItemKind.DateTime -> form(FormEvent.PickDateTime(item.id, kind.initial))
            is FormItemKind.Photo -> form(FormEvent.TakePhoto(item.id))
            is FormItemKind.Location -> form(FormEvent.Locate(item.id))
            is FormItemKind.Signature -> {
                form(FormEvent.Sign(item.id))
                draw()
                if (on<Screen.Signature>().v1.signerName.isEmpty()) {
                    send(Event.Signature(SignatureEvent.Name(checkNotNull(signers[item.id]) { "no signer for ${item.id}" })))
                }
                send(Event.Signature(SignatureEvent.Accept))
            }
            is FormItemKind.Charges -> Unit
        }
    }

    /** Two strokes drawn with the finger on the Signature screen's pad. */
    fun draw() {
        on<Screen.Signature>()
        val stroke = { y: Float, t0: UInt ->
            List(12) { i -> InkPoint(40f + 18f * i, y + (if (i % 2 == 0) 0f else 14f), t0 + 16u * i.toUInt(), 0.6f) }
        }
        send(Event.Signature(SignatureEvent.Stroke(stroke(80f, 0u))))
        send(Event.Signature(SignatureEvent.Stroke(stroke(120f, 400u))))
    }

    override fun close() = app.destroy()

    companion object {
        const val ADVICE = "立即停止用气，更换漏气接头后申请复查"
    }
}

/** The [TestPlatform] whose lock prompt is never answered (the user has not unlocked yet). */
class HeldLock(private val inner: TestPlatform) : Platform by inner {
    var prompts = 0
        private set

    override fun unlock(prompt: String, answer: (Outcome<Unit>) -> Unit) {
        prompts++
    }
}
