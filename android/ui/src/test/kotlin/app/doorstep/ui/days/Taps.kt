package app.doorstep.ui.days

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxHeight
import androidx.compose.foundation.layout.width
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsNode
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.SemanticsNodeInteraction
import androidx.compose.ui.test.hasAnyAncestor
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasScrollAction
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performScrollToNode
import androidx.compose.ui.test.performSemanticsAction
import androidx.compose.ui.test.performTextReplacement
import androidx.compose.ui.test.performTouchInput
import androidx.compose.ui.unit.dp
import app.doorstep.core.Screen
import app.doorstep.ui.DoorstepUi
import app.doorstep.ui.Themed
import app.doorstep.ui.UiPhone

/**
 * Puts the app on the test's window at a phone's width (the window is wider), the way
 * [UiPhone.show] does otherwise: the chips wrap and the lists scroll as on a phone.
 */
fun UiPhone.showAtPhoneWidth(): UiPhone {
    rule.setContent {
        Themed { Box(Modifier.fillMaxHeight().width(Taps.PHONE_WIDTH)) { DoorstepUi(shell) } }
    }
    rule.waitForIdle()
    return this
}

/**
 * A technician's finger on the rendered screens of [phone]: every helper finds what it taps the
 * way a person does, by the core's own text (or its accessibility sentence) and else by the
 * conventions' test tags, scrolling the screen's list (`screen.content`) to it first, and waits
 * until the next screen is drawn. Nothing here sends an event to the core: the screen's own
 * elements do. What cannot be found is named with the title of the screen shown.
 */
class Taps(private val phone: UiPhone) {
    private val rule = phone.rule

    /** The title of the screen the core shows now (the top bar's). */
    val title: String get() = titleOf(phone.state.body)

    /** Waits until the taps so far are handled and the screen is drawn. */
    fun idle() = rule.waitForIdle()

    /** Taps the element that reads [text] (its label or its accessibility sentence), inside [within] when given. */
    fun tap(text: String, within: String? = null, substring: Boolean = false) =
        click(reads(text, substring) and hasClickAction(), "'$text'", within)

    /** Taps the element tagged [tag]. */
    fun tapTag(tag: String) = click(hasTestTag(tag), "tag $tag", null)

    /** Taps the first element of [matcher] ([what] it is, for the message), inside [within] when given. */
    fun tapWhere(matcher: SemanticsMatcher, what: String, within: String? = null) = click(matcher, what, within)

    /** The first element of [matcher] inside [within], brought onto the screen; null when there is none. */
    fun nodeWhere(matcher: SemanticsMatcher, within: String? = null): SemanticsNode? = locate(matcher, within)?.fetchSemanticsNode()

    /** The top bar's Back. */
    fun back() = tapTag("back")

    /**
     * Types [text] into the text field labelled [label] (the whole field, as the screens send it
     * to the core), or into the first text field inside [within] when no label is given.
     */
    fun type(text: String, label: String? = null, within: String? = null) {
        val field = hasSetTextAction().let { if (label != null) it and reads(label, substring = true) else it }
        val what = if (label != null) "field labelled '$label'" else "text field"
        find(field, what, within).performTextReplacement(text)
        idle()
    }

    /**
     * Draws a signature on the pad (`signature.pad`) with the finger: two strokes from pen down
     * to pen up, each a zigzag across the pad, as a customer signs.
     */
    fun drawSignature(pad: String = "signature.pad") {
        val node = find(hasTestTag(pad), "the signature pad", null)
        for (row in listOf(0.35f, 0.65f)) {
            node.performTouchInput {
                val y = height * row
                down(Offset(width * 0.1f, y))
                for (i in 1..12) {
                    moveTo(Offset(width * (0.1f + 0.065f * i), y + if (i % 2 == 0) 0f else height * 0.08f))
                }
                up()
            }
            idle()
        }
    }

    /** Whether the screen shows [text] somewhere (scrolling its list to it). */
    fun sees(text: String, substring: Boolean = false, within: String? = null): Boolean =
        locate(reads(text, substring), within) != null

    /** Asserts that the screen shows [text], naming the screen when it does not. */
    fun shows(text: String, substring: Boolean = false, within: String? = null) {
        check(sees(text, substring, within)) { "on 「$title」: nothing reads '$text'${where(within)}" }
    }

    private fun click(matcher: SemanticsMatcher, what: String, within: String?) {
        val node = find(matcher, what, within)
        val found = node.fetchSemanticsNode()
        check(found.config.getOrNull(SemanticsProperties.Disabled) == null) {
            "on 「$title」: $what${where(within)} is disabled"
        }
        node.performClick()
        idle()
    }

    /** The one node of [matcher] (the first when several), scrolled into view. */
    private fun find(matcher: SemanticsMatcher, what: String, within: String?): SemanticsNodeInteraction {
        val node = checkNotNull(locate(matcher, within)) { "on 「$title」: no $what${where(within)}" }
        if (hasAnyAncestor(hasScrollAction()).matches(node.fetchSemanticsNode())) node.performScrollTo()
        return node
    }

    /** Brings [matcher] (inside the element tagged [within]) onto the screen, null when there is none. */
    private fun locate(matcher: SemanticsMatcher, within: String?): SemanticsNodeInteraction? {
        idle()
        val wanted = if (within == null) matcher else matcher and hasAnyAncestor(hasTestTag(within))
        if (present(wanted).isEmpty()) {
            if (within != null && present(hasTestTag(within)).isEmpty()) scrollTo(hasTestTag(within))
            if (present(wanted).isEmpty()) scrollTo(wanted)
        }
        return if (present(wanted).isEmpty()) null else rule.onAllNodes(wanted)[0]
    }

    private fun present(matcher: SemanticsMatcher): List<SemanticsNode> = rule.onAllNodes(matcher).fetchSemanticsNodes()

    /**
     * Scrolls the screen's list until [matcher] is composed, when the screen has a list: onward
     * from where it is first, a screen at a time (a form is answered downwards), then from the
     * top through every item (Compose's own search, which starts at the first item).
     */
    private fun scrollTo(matcher: SemanticsMatcher) {
        if (present(hasTestTag(CONTENT)).isEmpty()) return
        val list = rule.onNode(hasTestTag(CONTENT))
        for (page in 1..40) {
            if (present(matcher).isNotEmpty()) return
            val node = list.fetchSemanticsNode()
            val range = node.config.getOrNull(SemanticsProperties.VerticalScrollAxisRange) ?: break
            val before = range.value()
            if (before >= range.maxValue()) break
            list.performSemanticsAction(SemanticsActions.ScrollBy) { it(0f, node.size.height * 0.8f) }
            idle()
            if (range.value() == before) break
        }
        if (present(matcher).isNotEmpty()) return
        try {
            list.performScrollToNode(matcher)
        } catch (notThere: AssertionError) {
            // Not in the list: the caller says what it looked for.
        }
        idle()
    }

    private fun where(within: String?) = if (within == null) "" else " in $within"

    companion object {
        /** A phone's width (dp): the day is tapped on the screens as a phone lays them out. */
        val PHONE_WIDTH = 360.dp

        /** The screen's list (parts/Parts.kt: ScreenFrame). */
        const val CONTENT = "screen.content"

        /** An element that reads [text]: its own text, or its content description. */
        fun reads(text: String, substring: Boolean = false): SemanticsMatcher =
            hasText(text, substring = substring) or hasContentDescription(text, substring = substring)

        fun titleOf(body: Screen): String = when (body) {
            is Screen.Enroll -> body.v1.title
            is Screen.Today -> body.v1.title
            is Screen.Household -> body.v1.title
            is Screen.WorkOrder -> body.v1.title
            is Screen.Form -> body.v1.title
            is Screen.Signature -> body.v1.title
            is Screen.Sync -> body.v1.title
            is Screen.Search -> body.v1.title
            is Screen.Settings -> body.v1.title
            is Screen.Action -> body.v1.title
            is Screen.Outage -> body.v1.title
            is Screen.Fees -> body.v1.title
            is Screen.Copy -> body.v1.title
            is Screen.Locked -> body.v1.title
        }
    }
}
