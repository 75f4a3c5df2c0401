package app.doorstep.ui

import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onAllNodesWithText
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.assertIsDisplayed
import app.doorstep.core.Office
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

class SmokeTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    @Test fun `a new phone shows the enroll screen`() {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), "2026-12-07T09:00:00+08:00").use { phone ->
                phone.show()
                rule.onAllNodesWithText("登记本机").onFirst().assertIsDisplayed()
            }
        }
    }
}
