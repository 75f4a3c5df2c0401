package app.doorstep.ui.screens

import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import app.doorstep.core.Event
import app.doorstep.core.ScreenState
import app.doorstep.core.SettingsEvent
import app.doorstep.core.SettingsScreen
import app.doorstep.ui.parts.Card
import app.doorstep.ui.parts.ChipChoice
import app.doorstep.ui.parts.ChoiceChips
import app.doorstep.ui.parts.FieldRows
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.parts.SectionTitle

/**
 * Settings (docs/screens.md, "Settings"): the languages, each named in itself (picking one
 * redraws every screen in it), and what the phone is: device, server, technician, the store's
 * size, versions, the last sync.
 */
@Composable
fun SettingsUi(screen: SettingsScreen, state: ScreenState, send: (Event) -> Unit) {
    ScreenFrame(screen.title, state, send) {
        item(key = "language") {
            SectionTitle(screen.languageTitle)
            ChoiceChips(
                screen.languages.map { ChipChoice(it.lang.name.lowercase(), it.label, it.selected, it.accessibility) },
                onPick = { id ->
                    val lang = screen.languages.first { it.lang.name.lowercase() == id }.lang
                    send(Event.Settings(SettingsEvent.SetLanguage(lang)))
                },
                tagPrefix = "settings.language",
            )
        }
        item(key = "fields") {
            Card(modifier = Modifier.testTag("settings.fields")) {
                FieldRows(
                    listOf(
                        screen.technician,
                        screen.server,
                        screen.lastSync,
                        screen.device,
                        screen.storeSize,
                        screen.coreVersion,
                        screen.storeSchema,
                    ),
                )
            }
        }
    }
}
