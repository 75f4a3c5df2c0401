package app.doorstep.ui.screens.form

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.requiredWidth
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import app.doorstep.core.FormEvent
import app.doorstep.core.FormItem
import app.doorstep.core.FormItemKind
import app.doorstep.ui.parts.DateTimePicker

/**
 * The picker of a Date or DateTime item (parts/Pickers.kt), opened under it where the core says
 * (`initial`: the answer, or today, in Beijing time); a day is marked only once the item has an
 * answer. Every pick is sent at once (PickDate / PickDateTime): the core's formatted value
 * above the picker is the answer, so there is nothing to confirm. Tag: `form.item.<id>.picker`.
 */
@Composable
internal fun Picker(item: FormItem, tag: String, form: (FormEvent) -> Unit) {
    val (initial, withTime) = when (val kind = item.kind) {
        is FormItemKind.Date -> kind.initial to false
        is FormItemKind.DateTime -> kind.initial to true
        else -> return
    }
    // Material's calendar is 360 dp wide whatever the room: centred, it overhangs the card's
    // padding rather than lose its last column on a 360 dp phone.
    Column(Modifier.fillMaxWidth(), horizontalAlignment = Alignment.CenterHorizontally) {
        DateTimePicker(
            chosen = initial.takeIf { item.value != null },
            opensAt = initial,
            withTime = withTime,
            onPick = { picked ->
                form(
                    if (withTime) {
                        FormEvent.PickDateTime(item.id, picked)
                    } else {
                        FormEvent.PickDate(item.id, picked.year, picked.month, picked.day)
                    },
                )
            },
            modifier = Modifier.requiredWidth(360.dp),
            tag = "$tag.picker",
        )
    }
}
