package app.doorstep.ui.screens

import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.ui.UiPhone
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/** Search (docs/screens.md, "Search"): typed, found, opened. */
class SearchScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    @Test fun `a technician finds HZ-0002 by typing its number and opens the file`(): Unit =
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), FormScreenTest.NOW).use { phone ->
                phone.show()
                val taps = Taps(phone)
                taps.enroll(office)
                taps.tap("today.search")
                val empty = (phone.state.body as Screen.Search).v1
                rule.onNodeWithText(empty.summary).assertIsDisplayed()

                taps.type("search.query", "HZ-0002")
                val found = (phone.state.body as Screen.Search).v1
                assertEquals("HZ-0002", found.query)
                taps.find("search.query").assertTextContains("HZ-0002")
                val line = found.results.first()
                assertEquals("HZ-0002", line.customerNumber)
                rule.onNodeWithText(found.summary).assertIsDisplayed()
                taps.find("search.result.${line.householdId}").assertIsDisplayed()
                rule.onNodeWithText("王秀英", substring = true).assertIsDisplayed()
                taps.checkTouchTargets()

                // Emptied, the query is cleared and the hint comes back.
                taps.type("search.query", "")
                assertEquals("", (phone.state.body as Screen.Search).v1.query)
                rule.onNodeWithText(empty.summary).assertIsDisplayed()

                taps.type("search.query", "王秀英")
                val byName = (phone.state.body as Screen.Search).v1.results.single()
                taps.tap("search.result.${byName.householdId}")
                val file = (phone.state.body as Screen.Household).v1
                assertTrue(file.title, "王秀英" in file.title)
            }
        }
}
