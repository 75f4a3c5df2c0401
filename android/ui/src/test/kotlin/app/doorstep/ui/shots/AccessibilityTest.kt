package app.doorstep.ui.shots

import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsNode
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.hasClickAction
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.requiredSize
import androidx.compose.foundation.layout.size
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.test.junit4.ComposeContentTestRule
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.unit.dp
import app.doorstep.core.Language
import app.doorstep.ui.DoorstepScreen
import app.doorstep.ui.Themed
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Rule
import org.junit.Test
import org.junit.runner.RunWith
import org.junit.runners.Parameterized

/**
 * User story: a technician with gloves on, or one who listens to TalkBack, can reach every
 * action of every screen: each element that takes a tap says what it does (a content
 * description) and is at least 48x48 dp. Every gallery screen, in Chinese and in English, is
 * drawn in the Compose test rule at a phone's width; all the offenders of a screen are reported at once.
 */
@RunWith(Parameterized::class)
class AccessibilityTest(private val shot: String, private val language: Language) {
    @get:Rule val rule = createComposeRule()

    @Test
    fun `every tappable element says what it does and is big enough for a gloved finger`() {
        val state = Gallery.shot(shot).state(language)
        // A phone's width, and tall enough that the lists lay out every item (a LazyColumn
        // composes only what fits: the rest would go unchecked).
        rule.setContent { Themed { Box(Modifier.requiredSize(Renders.WIDTH_DP.dp, TALL_DP.dp)) { DoorstepScreen(state) {} } } }
        rule.waitForIdle()
        val offenders = tapOffenders(rule)
        if (offenders.isNotEmpty()) fail("$shot ($language): ${offenders.size} tappable elements:\n" + offenders.joinToString("\n"))
    }

    companion object {
        const val TALL_DP = 4000

        @JvmStatic
        @Parameterized.Parameters(name = "{0}.{1}")
        fun cases(): List<Array<Any>> =
            Gallery.shots.flatMap { shot -> Language.entries.map { arrayOf<Any>(shot.name, it) } }
    }
}

/** Touch.Minimum: the smallest target a gloved finger hits (Material's 48 dp). */
const val MIN_TOUCH_DP = 48f

/** Every node of [rule]'s content with a click action that has no content description or is under 48x48 dp, in words. */
fun tapOffenders(rule: ComposeContentTestRule): List<String> {
    val density = rule.density.density
    return rule.onAllNodes(hasClickAction()).fetchSemanticsNodes().mapNotNull { node -> problems(node, density) }
}

private fun problems(node: SemanticsNode, density: Float): String? {
    val described = node.config.getOrNull(SemanticsProperties.ContentDescription).orEmpty().any { it.isNotBlank() }
    val width = node.size.width / density
    val height = node.size.height / density
    val wrong = buildList {
        if (!described) add("no content description")
        if (width < MIN_TOUCH_DP || height < MIN_TOUCH_DP) add("%.0fx%.0f dp".format(width, height))
    }
    if (wrong.isEmpty()) return null
    val text = node.config.getOrNull(SemanticsProperties.Text)?.joinToString(" ")
    val tag = node.config.getOrNull(SemanticsProperties.TestTag)
    val label = node.config.getOrNull(SemanticsActions.OnClick)?.label
    return "  - ${wrong.joinToString(", ")}: tag=$tag text=$text clickLabel=$label"
}

/** The check itself: it finds what it is meant to find. */
class AccessibilityCheckTest {
    @get:Rule val rule = createComposeRule()

    @Test
    fun `a small unlabelled tap target is reported and a labelled 48 dp one is not`() {
        rule.setContent {
            Themed {
                Column {
                    Box(Modifier.size(32.dp).clickable {}.testTag("small"))
                    Box(Modifier.size(48.dp).clickable {}.semantics { contentDescription = "打开" }.testTag("fine"))
                }
            }
        }
        val offenders = tapOffenders(rule)
        assertEquals(offenders.toString(), 1, offenders.size)
        assertTrue(offenders.single(), "no content description, 32x32 dp: tag=small" in offenders.single())
    }
}
