package app.doorstep.ui.screens

import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontWeight
import app.doorstep.core.Event
import app.doorstep.core.ScreenState
import app.doorstep.core.SearchEvent
import app.doorstep.core.SearchLine
import app.doorstep.core.SearchScreen
import app.doorstep.ui.parts.Card
import app.doorstep.ui.parts.CoreTextField
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.theme.Palette

/**
 * Search (docs/screens.md, "Search"): the query (the whole text sent at each change, the core
 * searches at once; emptied, it is cleared), the core's summary and the households found, each
 * opening its file.
 */
@Composable
fun SearchUi(screen: SearchScreen, state: ScreenState, send: (Event) -> Unit) {
    fun search(event: SearchEvent) = send(Event.Search(event))
    ScreenFrame(screen.title, state, send) {
        item(key = "query") {
            CoreTextField(
                value = screen.query,
                onText = { text -> search(if (text.isEmpty()) SearchEvent.Clear else SearchEvent.SetQuery(text)) },
                placeholder = screen.placeholder,
                description = screen.queryAccessibility,
                tag = "search.query",
            )
        }
        item(key = "summary") {
            Text(
                screen.summary,
                style = MaterialTheme.typography.bodyMedium,
                color = Palette.InkMuted,
                modifier = Modifier.testTag("search.summary"),
            )
        }
        items(screen.results, key = { it.householdId }) { line -> Result(line) { search(SearchEvent.Open(line.householdId)) } }
    }
}

/** A household found: name and number, address, and where the query matched. */
@Composable
private fun Result(line: SearchLine, open: () -> Unit) {
    Card(accessibility = line.accessibility, onClick = open, modifier = Modifier.testTag("search.result.${line.householdId}")) {
        Text(
            line.name + " · " + line.customerNumber,
            style = MaterialTheme.typography.titleMedium,
            fontWeight = FontWeight.SemiBold,
            color = Palette.Ink,
        )
        Text(line.address, style = MaterialTheme.typography.bodyMedium, color = Palette.Ink)
        Text(line.matched, style = MaterialTheme.typography.bodyMedium, color = Palette.InkMuted)
    }
}
