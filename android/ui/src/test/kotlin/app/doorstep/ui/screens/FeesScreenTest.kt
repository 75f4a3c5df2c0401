package app.doorstep.ui.screens

import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import app.doorstep.core.FeesScreen
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.ui.UiPhone
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Fees and settlement: the day shown moves back and forth by taps, never past today. */
class FeesScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    private fun UiPhone.fees(): FeesScreen = (state.body as? Screen.Fees)?.v1
        ?: error("expected the Fees screen, got ${state.body::class.simpleName}")

    @Test fun `a technician looks back at yesterday's takings and returns to today`() {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), CrewDay.now()).use { phone ->
                CrewDay.enrolled(phone, office)
                CrewDay.tap(phone, "today.fees")
                val today = phone.fees()
                assertTrue(today.isToday)
                CrewDay.render(phone, "fees-today")
                rule.onNodeWithTag("fees.day").assertTextContains(today.day)
                // Nothing collected yet: the core's words for an empty day, the total, the settlement.
                CrewDay.shownText(phone, assertNotNull(today.empty)).assertIsDisplayed()
                CrewDay.shownText(phone, today.total).assertIsDisplayed()
                CrewDay.shownText(phone, today.settlement).assertIsDisplayed()
                // Today is the last day: Next is disabled and says why; there is no "today" button.
                rule.onNodeWithTag("fees.next").assertIsNotEnabled()
                rule.onNodeWithText(assertNotNull(today.next.disabledReason)).assertIsDisplayed()
                assertNull(today.today)

                CrewDay.tap(phone, "fees.previous")
                val yesterday = phone.fees()
                assertFalse(yesterday.isToday)
                assertNotEquals(today.day, yesterday.day)
                rule.onNodeWithTag("fees.day").assertTextContains(yesterday.day)
                rule.onNodeWithTag("fees.next").assertIsEnabled()

                CrewDay.tap(phone, "fees.previous")
                val before = phone.fees().day
                assertNotEquals(yesterday.day, before)
                CrewDay.tap(phone, "fees.next")
                assertEquals(yesterday.day, phone.fees().day)

                CrewDay.tap(phone, "fees.previous")
                CrewDay.tap(phone, "fees.today")
                assertTrue(phone.fees().isToday)
                assertEquals(today.day, phone.fees().day)
                rule.onNodeWithTag("fees.day").assertTextContains(today.day)
            }
        }
    }
}
