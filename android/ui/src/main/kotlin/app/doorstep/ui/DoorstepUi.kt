package app.doorstep.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import app.doorstep.core.Event
import app.doorstep.core.Notice
import app.doorstep.core.Screen
import app.doorstep.core.ScreenState
import app.doorstep.ui.parts.NoticeBar
import app.doorstep.ui.screens.ActionUi
import app.doorstep.ui.screens.CopyUi
import app.doorstep.ui.screens.EnrollUi
import app.doorstep.ui.screens.FeesUi
import app.doorstep.ui.screens.FormUi
import app.doorstep.ui.screens.HouseholdUi
import app.doorstep.ui.screens.LockedUi
import app.doorstep.ui.screens.OutageUi
import app.doorstep.ui.screens.OrderUi
import app.doorstep.ui.screens.SearchUi
import app.doorstep.ui.screens.SettingsUi
import app.doorstep.ui.screens.SignatureUi
import app.doorstep.ui.screens.SyncUi
import app.doorstep.ui.screens.TodayUi
import app.doorstep.ui.shell.Shell

/** The app: the shell's screen, drawn; every tap goes back to the core through the shell. */
@Composable
fun DoorstepUi(shell: Shell) {
    Column(Modifier.fillMaxSize()) {
        shell.refusal?.let { NoticeBar(it) }
        Box(Modifier.weight(1f)) { DoorstepScreen(shell.state, shell::send) }
    }
}

/**
 * One screen of the core (docs/screens.md) drawn as it is: [state] is what the core gave,
 * [send] takes the events its elements send. No rule, wording or formatting here.
 */
@Composable
fun DoorstepScreen(state: ScreenState, send: (Event) -> Unit) {
    when (val body = state.body) {
        is Screen.Enroll -> EnrollUi(body.v1, state, send)
        is Screen.Today -> TodayUi(body.v1, state, send)
        is Screen.Household -> HouseholdUi(body.v1, state, send)
        is Screen.WorkOrder -> OrderUi(body.v1, state, send)
        is Screen.Form -> FormUi(body.v1, state, send)
        is Screen.Signature -> SignatureUi(body.v1, state, send)
        is Screen.Sync -> SyncUi(body.v1, state, send)
        is Screen.Search -> SearchUi(body.v1, state, send)
        is Screen.Settings -> SettingsUi(body.v1, state, send)
        is Screen.Action -> ActionUi(body.v1, state, send)
        is Screen.Outage -> OutageUi(body.v1, state, send)
        is Screen.Fees -> FeesUi(body.v1, state, send)
        is Screen.Copy -> CopyUi(body.v1, state, send)
        is Screen.Locked -> LockedUi(body.v1, state, send)
    }
}

/** A notice given by the shell (tests use it to draw a refusal the way the app does). */
internal fun ScreenState.withNotice(notice: Notice?): ScreenState = if (notice == null) this else copy(notice = notice)
