package app.doorstep.core

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.time.Instant
import java.util.Collections

/**
 * A shell without a screen (the Kotlin twin of bindings/python/app_driver.py): drives
 * [DoorstepApp] only through events and carries out its effects as the Android shell does
 * (docs/screens.md, "How a shell drives the app"), so a test reads as a technician's day.
 *
 * Effects: a photo is one of the repo's JPEG fixtures ([CAMERA], in turn) copied to the path the
 * core chose, then `PhotoTaken`;
 * a scan answers with the next of [scans]; a position with [position]; `SyncNow` runs the sync
 * at once (the app runs it on a worker); `RunEnrollment` enrolls; a notification is kept in
 * [notified]; the rest (map, call, share, print, keep the screen on, background sync) in [done].
 */
class Phone private constructor(
    private val folder: Path,
    private val key: String,
    private val language: Language,
    private var now: String,
) : AutoCloseable {
    var app: DoorstepApp = open()
        private set
    var screen: ScreenState = app.screen()
        private set
    val notified = mutableListOf<Effect.Notify>()
    val done = mutableListOf<Effect>()
    val scans = ArrayDeque<String>()
    var position = Triple(30.271, 120.121, 8.0)
    var syncs = 0
        private set
    /** The screens a sync reported while it ran (on its own thread). */
    val during: MutableList<ScreenState> = Collections.synchronizedList(mutableListOf())
    private var photos = 0

    private fun open() = DoorstepApp.openWithTime(folder.toString(), key, language, "junit phone", now)

    /** Sends an event, draws the new screen and carries out its effects. */
    fun send(event: Event): ScreenState {
        val update = app.handle(event)
        screen = update.screen
        carryOut(update.effects)
        return screen
    }

    /** Minutes pass on the app's clock; the shell sends its Tick. */
    fun tick(minutes: Int = 1): ScreenState {
        app.advanceMinutes(minutes.toUInt())
        return send(Event.Tick)
    }

    fun back() = send(Event.Back)

    /** The process killed (nothing closed) and the app opened again on the same folder. */
    fun reopen(): ScreenState {
        now = app.nowIso()
        app.destroy()
        app = open()
        screen = app.screen()
        return screen
    }

    /** Types the server and the code on the Enroll screen and submits them. */
    fun enroll(server: String, code: String): ScreenState {
        on<Screen.Enroll>()
        send(Event.Enroll(EnrollEvent.SetServer(server)))
        send(Event.Enroll(EnrollEvent.SetCode(code)))
        return send(Event.Enroll(EnrollEvent.Submit))
    }

    /** The sync a `SyncNow` asked for, run to its end. */
    fun sync(): ScreenState {
        val update = app.runSync(object : AppListener {
            override fun onUpdate(update: Update) {
                during.add(update.screen)
            }
        })
        syncs++
        screen = update.screen
        carryOut(update.effects)
        return screen
    }

    private fun carryOut(effects: List<Effect>) {
        for (effect in effects) {
            when (effect) {
                is Effect.TakePhoto -> {
                    val taken = CAMERA[photos % CAMERA.size]
                    photos++
                    Files.copy(taken, Path.of(effect.path), StandardCopyOption.REPLACE_EXISTING)
                    send(Event.PhotoTaken(effect.request))
                }
                is Effect.Scan -> send(
                    scans.removeFirstOrNull()?.let { Event.Scanned(effect.request, it) }
                        ?: Event.EffectFailed(effect.request, EffectFailure.CANCELLED),
                )
                is Effect.Locate -> send(Event.Located(effect.request, position.first, position.second, position.third))
                is Effect.Unlock -> send(Event.Unlocked(effect.request))
                is Effect.SyncNow -> sync()
                is Effect.Notify -> notified.add(effect)
                is Effect.RunEnrollment -> {
                    val update = app.runEnrollment()
                    screen = update.screen
                    carryOut(update.effects)
                }
                else -> done.add(effect)
            }
        }
    }

    override fun close() = app.destroy()

    /**
     * Answers the form shown item by item through `Form` events, as a technician taps them,
     * until its Seal button is enabled: each item still wanted (required and unanswered, or
     * with a problem) gets [answers]'s answer for its id (a check's `pass`/`fail`/`na`, a
     * choice's id, the text typed), else the first option, a pass, a plain number or text; a
     * failed check gets its advice and its photo; a photo item its photos; a signature is drawn
     * on the Signature screen and signed by [signers]' name for its item (the technician's is
     * filled in by the core).
     */
    fun fillForm(answers: Map<String, String> = emptyMap(), signers: Map<String, String> = emptyMap()): FormScreen {
        val tries = mutableMapOf<String, Int>()
        while (true) {
            val form = on<Screen.Form>().v1
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
                kind.adviceWanted && kind.advice.isEmpty() ->
                    form(FormEvent.Advice(item.id, "立即停止用气，更换漏气接头后申请复查"))
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
                sign(signers[item.id])
            }
            is FormItemKind.Charges -> Unit
        }
    }

    /** On the Signature screen: two strokes drawn with the finger, the name if it is wanted, Accept. */
    fun sign(name: String?): ScreenState {
        val pad = on<Screen.Signature>().v1
        check(!pad.accept.enabled) { "an empty signature cannot be accepted" }
        val stroke = { y: Float, t0: UInt ->
            List(12) { i -> InkPoint(40f + 18f * i, y + (if (i % 2 == 0) 0f else 14f), t0 + 16u * i.toUInt(), 0.6f) }
        }
        send(Event.Signature(SignatureEvent.Stroke(stroke(80f, 0u))))
        send(Event.Signature(SignatureEvent.Stroke(stroke(120f, 400u))))
        if (on<Screen.Signature>().v1.signerName.isEmpty()) {
            send(Event.Signature(SignatureEvent.Name(checkNotNull(name) { "no name for ${pad.role}" })))
        }
        check(on<Screen.Signature>().v1.accept.enabled) { "accept: ${on<Screen.Signature>().v1.accept.disabledReason}" }
        return send(Event.Signature(SignatureEvent.Accept))
    }

    companion object {
        /** The camera: real JPEGs of the repo's photo fixtures (Maven runs in bindings/kotlin). */
        val CAMERA: List<Path> = listOf("testorig.jpg", "progressive-cat.jpg", "portrait_2.jpg", "monkey12.jpg")
            .map { Path.of("../../core/tests/fixtures/photos/jpeg", it).toAbsolutePath().normalize() }
            .onEach { check(Files.exists(it)) { "no camera fixture at $it" } }

        fun open(folder: Path, language: Language = Language.ZH, now: String = Instant.now().toString()) =
            Phone(folder, generateStoreKey(), language, now)
    }
}

/** The record of the screen shown, which must be a [T]. */
inline fun <reified T : Screen> Phone.on(): T {
    val body = screen.body
    check(body is T) { "expected ${T::class.simpleName}, got ${body::class.simpleName}" }
    return body
}
