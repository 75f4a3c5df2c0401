package app.doorstep.ui.screens

import androidx.compose.ui.test.SemanticsNodeInteraction
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onAllNodesWithTag
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.performTouchInput
import androidx.compose.ui.test.swipeUp
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import app.doorstep.ui.theme.Touch
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.graphics.asSkiaBitmap
import androidx.compose.ui.test.onAllNodesWithText
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollToNode
import app.doorstep.core.EnrollEvent
import app.doorstep.core.Event
import app.doorstep.core.FormCheckMark
import app.doorstep.core.FormEvent
import app.doorstep.core.FormItem
import app.doorstep.core.FormItemKind
import app.doorstep.core.FormScreen
import app.doorstep.core.InkPoint
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.core.SignatureEvent
import app.doorstep.ui.UiPhone
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.unit.Density
import app.doorstep.ui.DoorstepScreen
import app.doorstep.ui.Themed
import org.jetbrains.skia.EncodedImageFormat

/**
 * What the screens' tests of this area share: a phone enrolled at the office and drawn, the
 * screen's record, scrolling the screen's list to an element and tapping it, and a form
 * answered through the core's events (the Form screen's taps are that screen's own tests).
 */
object CrewDay {
    /** Now on the office's clock, for the phone's hand-set one. */
    fun now(): String = Instant.now().toString()

    /**
     * Enrolls [phone] at [office] with the Enroll screen's events (that screen is tested on its
     * own), runs the first sync as the shell would, and draws Today.
     */
    fun enrolled(phone: UiPhone, office: Office): UiPhone {
        phone.app.handle(Event.Enroll(EnrollEvent.SetServer(office.url)))
        phone.app.handle(Event.Enroll(EnrollEvent.SetCode(office.enrollmentCode())))
        phone.app.handle(Event.Enroll(EnrollEvent.Submit))
        phone.app.runEnrollment()
        phone.app.runSync(null)
        phone.shell.refresh()
        return phone.show()
    }

    /** What the office's server holds: how many records of [entity] have all of [texts] in their JSON. */
    fun held(office: Office, entity: String, vararg texts: String): Long =
        office.count(
            "SELECT count(*) FROM records WHERE entity = ?" + " AND instr(body, ?) > 0".repeat(texts.size),
            entity,
            *texts,
        )

    /** A sync as the shell's network worker runs it, the screen drawn again after it. */
    fun sync(phone: UiPhone) {
        phone.app.runSync(null)
        phone.rule.runOnIdle { phone.shell.refresh() }
        phone.rule.waitForIdle()
    }

    /** The screen's list scrolled to the element tagged [tag]. */
    fun shown(phone: UiPhone, tag: String): SemanticsNodeInteraction {
        phone.rule.onNodeWithTag("screen.content").performScrollToNode(hasTestTag(tag))
        return phone.rule.onAllNodesWithTag(tag).onFirst()
    }

    /** The screen's list scrolled to the text [text] (the core's words). */
    fun shownText(phone: UiPhone, text: String): SemanticsNodeInteraction {
        phone.rule.onNodeWithTag("screen.content").performScrollToNode(hasText(text, substring = true))
        return phone.rule.onAllNodesWithText(text, substring = true).onFirst()
    }

    /** Taps the element tagged [tag], scrolled to first, and waits for the next screen. */
    fun tap(phone: UiPhone, tag: String) {
        shown(phone, tag).performClick()
        phone.rule.waitForIdle()
    }

    /**
     * Answers the form shown through the core's events until it can be sealed (the Kotlin
     * driver's way, bindings/kotlin/.../AppDriver.kt): each item still wanted gets the first
     * option (or [answers]' choice for its id), a pass, a number or a text; a signature is
     * drawn on the Signature screen and signed by [signer] when the core has no name for it.
     */
    fun fillForm(phone: UiPhone, signer: String, answers: Map<String, String> = emptyMap()) {
        val tries = mutableMapOf<String, Int>()
        while (true) {
            val form = form(phone)
            if (form.seal.enabled) return
            val item = form.sections.flatMap { it.items }.firstOrNull { item ->
                item.editable && item.kind !is FormItemKind.Charges &&
                    (item.problems.isNotEmpty() || (item.required && item.value == null)) &&
                    (tries[item.id] ?: 0) < 5
            } ?: error("the form cannot be sealed: ${form.seal.disabledReason} ${form.formProblems}")
            tries.merge(item.id, 1, Int::plus)
            answer(phone, item, signer, answers[item.id])
        }
    }

    fun form(phone: UiPhone): FormScreen {
        val body = phone.state.body
        check(body is Screen.Form) { "expected the Form screen, got ${body::class.simpleName}" }
        return body.v1
    }

    private fun answer(phone: UiPhone, item: FormItem, signer: String, given: String?) {
        fun form(event: FormEvent) = send(phone, Event.Form(event))
        when (val kind = item.kind) {
            is FormItemKind.Check -> if (item.value == null) form(FormEvent.Check(item.id, FormCheckMark.PASS)) else form(FormEvent.TakePhoto(item.id))
            is FormItemKind.Number -> form(FormEvent.Type(item.id, kind.min ?: "1"))
            is FormItemKind.MeterReading -> form(FormEvent.Type(item.id, "1234.5"))
            is FormItemKind.Text -> form(FormEvent.Type(item.id, given ?: "已按规程处理"))
            is FormItemKind.SingleChoice -> form(FormEvent.Choose(item.id, given ?: kind.options.first().id))
            is FormItemKind.MultipleChoice -> form(FormEvent.Toggle(item.id, given ?: kind.options.first().id))
            is FormItemKind.Date -> kind.initial.let { form(FormEvent.PickDate(item.id, it.year, it.month, it.day)) }
            is FormItemKind.DateTime -> form(FormEvent.PickDateTime(item.id, kind.initial))
            is FormItemKind.Photo -> form(FormEvent.TakePhoto(item.id))
            is FormItemKind.Location -> form(FormEvent.Locate(item.id))
            is FormItemKind.Signature -> {
                form(FormEvent.Sign(item.id))
                sign(phone, signer)
            }
            is FormItemKind.Charges -> Unit
        }
    }

    /** Two strokes on the pad, the signer's name when the core has none, Accept. */
    private fun sign(phone: UiPhone, name: String) {
        fun pad(event: SignatureEvent) = send(phone, Event.Signature(event))
        val stroke = { y: Float, t0: UInt ->
            List(12) { i -> InkPoint(40f + 18f * i, y + (if (i % 2 == 0) 0f else 14f), t0 + 16u * i.toUInt(), 0.6f) }
        }
        pad(SignatureEvent.Stroke(stroke(80f, 0u)))
        pad(SignatureEvent.Stroke(stroke(120f, 400u)))
        val body = phone.state.body
        check(body is Screen.Signature) { "expected the Signature screen, got ${body::class.simpleName}" }
        if (body.v1.signerName.isEmpty()) pad(SignatureEvent.Name(name))
        pad(SignatureEvent.Accept)
    }

    /**
     * The screen shown, rendered at a phone's width (360 dp at density 2, [heightDp] high: a
     * tall one shows the whole list) to target/screens-a/<name>.png, for a person to look at
     * (the screenshot tests compare renders; these are not compared).
     */
    fun render(phone: UiPhone, name: String, heightDp: Int = 1800) {
        val state = phone.state
        val scene = ImageComposeScene(720, heightDp * 2, Density(2f)) { Themed { DoorstepScreen(state) {} } }
        try {
            scene.render()
            val png = scene.render().encodeToData(EncodedImageFormat.PNG) ?: error("no PNG for $name")
            val out = Path.of("target", "screens-a", "$name.png")
            Files.createDirectories(out.parent)
            Files.write(out, png.bytes)
        } finally {
            scene.close()
        }
    }

    /**
     * Every element of the screen that can be tapped (scrolled through the whole list) is at
     * least 48 dp both ways and says what it is: a content description or its own text.
     * Returns how many were checked.
     */
    fun checkTouchTargets(phone: UiPhone): Int {
        val seen = mutableSetOf<String>()
        val list = phone.rule.onNodeWithTag("screen.content")
        var checked = 0
        fun visit() {
            val nodes = phone.rule.onAllNodes(hasClickAction()).fetchSemanticsNodes()
            for (node in nodes) {
                val config = node.config
                val said = (config.getOrNull(SemanticsProperties.ContentDescription) ?: emptyList()) +
                    (config.getOrNull(SemanticsProperties.Text) ?: emptyList()).map { it.text }
                val key = node.id.toString()
                if (!seen.add(key)) continue
                checked++
                val size = with(phone.rule.density) { node.size.width.toDp() to node.size.height.toDp() }
                check(said.any { it.isNotBlank() }) { "a tappable element says nothing: ${node.config}" }
                check(size.first >= Touch.Minimum && size.second >= Touch.Minimum) {
                    "'${said.first()}' is ${size.first} × ${size.second}, under ${Touch.Minimum}"
                }
            }
        }
        visit()
        repeat(20) {
            val before = seen.size
            list.performTouchInput { swipeUp() }
            phone.rule.waitForIdle()
            visit()
            if (seen.size == before) return checked
        }
        return checked
    }

    /** The test's window as drawn now (its own size, what is open in it included), to target/screens-a/<name>.png. */
    fun capture(phone: UiPhone, name: String) {
        val image = phone.rule.onRoot().captureToImage()
        val out = Path.of("target", "screens-a", "$name.png")
        Files.createDirectories(out.parent)
        val png = org.jetbrains.skia.Image.makeFromBitmap(image.asSkiaBitmap()).encodeToData(EncodedImageFormat.PNG) ?: error("no PNG for $name")
        Files.write(out, png.bytes)
    }

    /** An event through the shell, as a tap of another screen would send it. */
    fun send(phone: UiPhone, event: Event) {
        phone.rule.runOnIdle { phone.shell.send(event) }
        phone.rule.waitForIdle()
    }
}
