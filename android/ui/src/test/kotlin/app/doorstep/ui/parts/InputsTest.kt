package app.doorstep.ui.parts

import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performTextInput
import app.doorstep.ui.Themed
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test

/**
 * The text field on the core's value (parts/Inputs.kt) when the core answers late, as it does on
 * a phone where the app's worker is a thread: what is typed meanwhile is kept; what the core
 * writes itself replaces it.
 */
class InputsTest {
    @get:Rule val rule = createComposeRule()

    /** A core that holds the field's text and answers the texts sent when told to. */
    private class LateCore {
        var value by mutableStateOf("")
        val asked = ArrayDeque<String>()

        fun answer(write: (String) -> String = { it }) {
            while (asked.isNotEmpty()) value = write(asked.removeFirst())
        }
    }

    @Test fun `typing ahead of the core's answers loses nothing`() {
        val core = LateCore()
        rule.setContent { Themed { CoreTextField(core.value, { core.asked.addLast(it) }, tag = "field") } }
        val field = rule.onNodeWithTag("field")
        for (key in listOf("1", "2", "3", ".", "4")) field.performTextInput(key)
        field.assertTextEquals("123.4")
        assertEquals(listOf("1", "12", "123", "123.", "123.4"), core.asked.toList())

        // The answers arrive one by one, the last one last: the field stays as typed.
        core.asked.toList().forEach { text ->
            core.value = text
            rule.waitForIdle()
            field.assertTextEquals("123.4")
        }
        core.asked.clear()
        field.performTextInput("5")
        field.assertTextEquals("123.45")
    }

    @Test fun `what the core writes itself replaces the text`() {
        val core = LateCore()
        rule.setContent { Themed { CoreTextField(core.value, { core.asked.addLast(it) }, tag = "field") } }
        val field = rule.onNodeWithTag("field")
        field.performTextInput("1234")
        core.answer { "$it.000" }
        rule.waitForIdle()
        field.assertTextEquals("1234.000")

        // A scan fills the field.
        core.value = "LJ-20261207-0302"
        rule.waitForIdle()
        field.assertTextEquals("LJ-20261207-0302")
    }
}
