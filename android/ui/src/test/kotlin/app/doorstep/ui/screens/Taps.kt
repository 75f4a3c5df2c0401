package app.doorstep.ui.screens

import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.test.SemanticsNodeInteraction
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.ComposeContentTestRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performScrollToKey
import androidx.compose.ui.test.performScrollToNode
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTextReplacement
import androidx.compose.ui.test.performTouchInput
import app.doorstep.core.Event
import app.doorstep.core.FormItem
import app.doorstep.core.FormItemKind
import app.doorstep.core.FormScreen
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.core.SignatureScreen
import app.doorstep.core.TodayEvent
import app.doorstep.core.TodayScreen
import app.doorstep.ui.UiPhone

/**
 * A technician's fingers on a [UiPhone]: everything here finds what is drawn (by test tag,
 * scrolled into view) and taps, types or draws on it; the core's record is read only to know
 * which item still wants an answer, as a technician reads the screen.
 */
internal class Taps(private val phone: UiPhone) {
    private val rule: ComposeContentTestRule = phone.rule

    /**
     * The element tagged [tag], scrolled into view in the screen's list when it is in it: a form
     * item's part by its item's key (straight there), anything else by searching the list.
     */
    fun find(tag: String): SemanticsNodeInteraction {
        if (rule.onAllNodes(hasTestTag("screen.content")).fetchSemanticsNodes().isEmpty()) return rule.onNodeWithTag(tag)
        val list = rule.onNodeWithTag("screen.content")
        val item = tag.removePrefix("form.item.").takeIf { it != tag }?.substringBefore('.')
        val scrolled = item != null && runCatching {
            list.performScrollToKey("item-$item")
            rule.onNodeWithTag(tag, useUnmergedTree = true).performScrollTo()
        }.isSuccess
        if (!scrolled) {
            runCatching { list.performScrollToNode(hasTestTag(tag)) }
                .recoverCatching { rule.onNodeWithTag("screen.content", useUnmergedTree = true).performScrollToNode(hasTestTag(tag)) }
        }
        return rule.onNodeWithTag(tag)
    }

    /** A part of a card (a thumbnail, a value), which the card's sentence merges for the reader. */
    fun findInside(tag: String): SemanticsNodeInteraction {
        find(tag)
        return rule.onNodeWithTag(tag, useUnmergedTree = true)
    }

    fun tap(tag: String) {
        find(tag).performClick()
        rule.waitForIdle()
    }

    /** Types [text] as the whole content of the field tagged [tag]. */
    fun type(tag: String, text: String) {
        find(tag).performTextReplacement(text)
        rule.waitForIdle()
    }

    /** On the Enroll screen: the server's address and the code typed, Submit tapped. */
    fun enroll(office: Office) {
        find("enroll.server").performTextInput(office.url)
        find("enroll.code").performTextInput(office.enrollmentCode())
        rule.waitForIdle()
        tap("enroll.submit")
    }

    /**
     * From Today to a new residential inspection of the household of the office's order
     * (HZ-0001), by the events of the screens drawn by others (Today, the household file).
     */
    fun startInspection() {
        val household = checkNotNull(today().lines.first { it.orderId != null }.householdId)
        phone.shell.send(Event.Today(TodayEvent.OpenHousehold(household)))
        rule.waitForIdle()
        val file = (phone.state.body as? Screen.Household)?.v1 ?: error("not on the household file")
        phone.shell.send(Event.Household(file.formStarts.first { it.templateId == "residential_inspection" }.event))
        rule.waitForIdle()
    }

    fun today(): TodayScreen = (phone.state.body as Screen.Today).v1

    fun form(): FormScreen = (phone.state.body as? Screen.Form)?.v1 ?: error("not on the form: ${phone.state.body::class.simpleName}")

    fun pad(): SignatureScreen = (phone.state.body as? Screen.Signature)?.v1 ?: error("not on the signature pad")

    fun item(id: String): FormItem = form().sections.flatMap { it.items }.first { it.id == id }

    /**
     * Answers the form by taps, item by item, until Seal is enabled: each item still wanted gets
     * [answers]' answer for its id (a check's or a choice's option id, the text typed), else
     * the first option, a pass, a plain number; a failed check its advice and its photo; a
     * signature is drawn on the pad, named by [signers] when the core has no name.
     */
    fun fillForm(answers: Map<String, String> = emptyMap(), signers: Map<String, String> = emptyMap()) {
        val tries = mutableMapOf<String, Int>()
        while (true) {
            val form = form()
            if (form.seal.enabled) return
            val item = form.sections.flatMap { it.items }.firstOrNull { item ->
                item.editable && item.kind !is FormItemKind.Charges &&
                    (item.problems.isNotEmpty() || (item.required && item.value == null)) &&
                    (tries[item.id] ?: 0) < 4
            } ?: error("the form cannot be sealed: ${form.seal.disabledReason} ${form.formProblems}")
            tries.merge(item.id, 1, Int::plus)
            answer(item, answers[item.id], signers[item.id])
        }
    }

    private fun answer(item: FormItem, given: String?, signer: String?) {
        val tag = "form.item." + item.id
        when (val kind = item.kind) {
            is FormItemKind.Check -> when {
                item.value == null -> tap("$tag.${given ?: "pass"}")
                kind.adviceWanted && kind.advice.isEmpty() -> type("$tag.advice", ADVICE)
                else -> tap("$tag.photo")
            }
            is FormItemKind.Number -> type("$tag.field", given ?: kind.min ?: "1")
            is FormItemKind.MeterReading -> type("$tag.field", given ?: "1234.5")
            is FormItemKind.Text -> type("$tag.field", given ?: "已按规程处理")
            is FormItemKind.SingleChoice -> tap("$tag.${given ?: kind.options.first().id}")
            is FormItemKind.MultipleChoice -> tap("$tag.${given ?: kind.options.first().id}")
            is FormItemKind.Photo -> tap("$tag.photo")
            is FormItemKind.Location -> tap("$tag.locate")
            is FormItemKind.Signature -> {
                tap("$tag.sign")
                sign(signer)
            }
            is FormItemKind.Date, is FormItemKind.DateTime, is FormItemKind.Charges ->
                error("no tap answers ${item.id} here")
        }
    }

    /** On the pad: two strokes drawn with the finger, the name typed if the core has none, Accept. */
    fun sign(name: String?) {
        find("signature.pad")
        stroke(80f)
        stroke(140f)
        if (pad().signerName.isEmpty()) type("signature.name", checkNotNull(name) { "no signer's name for ${pad().role}" })
        tap("signature.accept")
    }

    /** One stroke across the pad, pen down to pen up, at height [y] (dp from the pad's top). */
    fun stroke(y: Float) {
        rule.onNodeWithTag("signature.pad").performTouchInput {
            down(Offset(40f, y))
            for (i in 1..12) moveTo(Offset(40f + 18f * i, y + if (i % 2 == 0) 0f else 14f))
            up()
        }
        rule.waitForIdle()
    }

    /**
     * Every element that can be tapped on the screen shown has a content description and is
     * at least 48 dp both ways (docs: the conventions of android/ui). Material's calendar inside
     * a date item (`….picker`) is Material's own and left out.
     */
    fun checkTouchTargets() {
        rule.waitForIdle()
        val density = rule.density.density
        val tappable = rule.onAllNodes(hasClickAction()).fetchSemanticsNodes().filterNot { node ->
            generateSequence(node) { it.parent }.any { it.config.getOrNull(SemanticsProperties.TestTag)?.endsWith(".picker") == true }
        }
        check(tappable.isNotEmpty()) { "nothing to tap on the screen" }
        val bad = tappable.mapNotNull { node ->
            val name = node.config.getOrNull(SemanticsProperties.TestTag) ?: node.config.getOrNull(SemanticsProperties.Text)?.joinToString()
            val described = node.config.getOrNull(SemanticsProperties.ContentDescription).orEmpty().any { it.isNotBlank() }
            val w = node.size.width / density
            val h = node.size.height / density
            when {
                !described -> "$name: no content description"
                w < 47.5f || h < 47.5f -> "$name: ${w}x$h dp"
                else -> null
            }
        }
        check(bad.isEmpty()) { "touch targets: $bad" }
    }

    companion object {
        const val ADVICE = "立即停止用气，更换漏气接头后申请复查"
    }
}
