package app.doorstep.ui.days

import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasAnyAncestor
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.isSelectable
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performScrollToKey
import app.doorstep.core.FormItem
import app.doorstep.core.FormItemKind
import app.doorstep.core.FormOption
import app.doorstep.core.FormScreen
import app.doorstep.core.Screen
import app.doorstep.core.SignatureScreen
import app.doorstep.ui.UiPhone

/**
 * Answers the form on the screen by taps, the way a technician goes down it: the next item
 * still wanted (required and unanswered, or with a problem) is read off the screen the core
 * gave (its id for the tag `form.item.<id>`, its options' labels) and answered by tapping its
 * option, typing into its field, tapping its camera or position button, or signing on the pad,
 * until the form's Seal button is enabled. [answers] gives an item's answer by id (a check's
 * `pass`/`fail`/`na`, a choice's id, the text typed); without one a check passes, a choice
 * takes its first option and a field gets a plain value. A failed check gets [advice] typed
 * and its photo taken with the platform's camera.
 */
class FormTaps(private val phone: UiPhone, private val taps: Taps) {
    private val form: FormScreen
        get() = (phone.state.body as? Screen.Form)?.v1 ?: error("expected the Form screen, on 「${taps.title}」")

    fun fill(answers: Map<String, String> = emptyMap(), advice: String = ADVICE): FormScreen {
        val tries = mutableMapOf<String, Int>()
        while (true) {
            val shown = form
            if (shown.seal.enabled || shown.sealed != null) return shown
            val item = shown.sections.flatMap { it.items }.firstOrNull { item ->
                item.editable && item.kind !is FormItemKind.Charges &&
                    (item.problems.isNotEmpty() || (item.required && item.value == null)) &&
                    (tries[item.id] ?: 0) < 4
            } ?: error("on 「${shown.title}」 nothing more to answer, yet Seal says: ${shown.seal.disabledReason}")
            tries.merge(item.id, 1, Int::plus)
            answer(item, answers[item.id], advice)
        }
    }

    private fun answer(item: FormItem, given: String?, advice: String) {
        val tag = "form.item." + item.id
        fun option(id: String, options: List<FormOption>) =
            options.firstOrNull { it.id == id } ?: error("${item.id} has no option $id")
        when (val kind = item.kind) {
            is FormItemKind.Check -> when {
                item.value == null -> taps.tap(option(given ?: "pass", kind.options).label, within = tag)
                kind.adviceWanted && kind.advice.isEmpty() -> taps.type(advice, within = tag)
                else -> taps.tap(checkNotNull(item.takePhoto) { "${item.id}: no camera button" }.label, within = tag)
            }
            is FormItemKind.Number -> taps.type(given ?: kind.min ?: "1", within = tag)
            is FormItemKind.MeterReading -> taps.type(given ?: "1234.5", within = tag)
            is FormItemKind.Text -> taps.type(given ?: "已按规程处理", within = tag)
            is FormItemKind.SingleChoice -> taps.tap(option(given ?: kind.options.first().id, kind.options).label, within = tag)
            is FormItemKind.MultipleChoice -> taps.tap(option(given ?: kind.options.first().id, kind.options).label, within = tag)
            is FormItemKind.Photo -> taps.tap(checkNotNull(item.takePhoto) { "${item.id}: no camera button" }.label, within = tag)
            is FormItemKind.Location -> taps.tap(kind.locate.label, within = tag)
            is FormItemKind.Signature -> {
                taps.tap(kind.sign.label, within = tag)
                sign()
            }
            is FormItemKind.Date, is FormItemKind.DateTime -> pick(item, tag)
            is FormItemKind.Charges -> Unit
        }
    }

    /**
     * A date or a time: tapping the item opens its picker at the core's `initial` (today, now);
     * tapping that day answers it, with the time the picker opens at.
     */
    private fun pick(item: FormItem, tag: String) {
        // The picker's days are drawn inside the item's card (its own tag `.picker` is merged away).
        val day = hasClickAction() and isSelectable()
        if (taps.nodeWhere(day, within = tag) == null) taps.tapTag(tag)
        // Unanswered, the picker marks no day (a tap on today sends it): the initial day is
        // tapped by its place among the month's days, whatever the locale words them.
        val opens = (item.kind as? FormItemKind.Date)?.initial ?: (item.kind as FormItemKind.DateTime).initial
        val days = phone.rule.onAllNodes(day and hasAnyAncestor(hasTestTag("$tag.picker.day")), useUnmergedTree = true)
        val words = days[opens.day.toInt() - 1].fetchSemanticsNode().config.getOrNull(SemanticsProperties.Text)
        phone.rule.onNodeWithTag("screen.content").performScrollToKey("item-${item.id}")
        taps.tapWhere(day and SemanticsMatcher("the initial day") { it.config.getOrNull(SemanticsProperties.Text) == words }, "the initial day", within = tag)
    }

    /**
     * On the Signature screen: two strokes drawn on the pad, the signer's name typed when the
     * core has none, Accept (the core's label); back on the form.
     */
    fun sign(name: String? = null) {
        val pad = signature()
        check(!pad.accept.enabled) { "on 「${pad.title}」 an empty signature can be accepted" }
        taps.drawSignature()
        if (signature().signerName.isEmpty()) {
            taps.type(checkNotNull(name) { "on 「${pad.title}」 a name is wanted for ${pad.role}" }, label = pad.signerLabel)
        }
        val accept = signature().accept
        check(accept.enabled) { "on 「${pad.title}」 after two strokes: ${accept.disabledReason}" }
        taps.tap(accept.label)
        check(phone.state.body is Screen.Form) { "Accept on the pad left 「${taps.title}」 shown, not the form" }
    }

    private fun signature(): SignatureScreen =
        (phone.state.body as? Screen.Signature)?.v1 ?: error("expected the Signature screen, on 「${taps.title}」")

    companion object {
        const val ADVICE = "立即停止用气，更换漏气软管后申请复查"
    }
}
