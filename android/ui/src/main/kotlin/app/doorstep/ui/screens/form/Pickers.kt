package app.doorstep.ui.screens.form

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.DatePicker
import androidx.compose.material3.DatePickerDefaults
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.TimePicker
import androidx.compose.material3.rememberDatePickerState
import androidx.compose.material3.rememberTimePickerState
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.snapshotFlow
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import app.doorstep.core.FormDate
import app.doorstep.core.FormEvent
import app.doorstep.core.FormItem
import app.doorstep.core.FormItemKind
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneOffset
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.drop

/**
 * The pickers of a Date or DateTime item, opened under it where the core says (`initial`,
 * Beijing time). Every pick is sent at once (PickDate / PickDateTime): the core's formatted
 * value above the picker is the answer, so the picker needs no confirm button of its own.
 * The Material picker counts a day as UTC midnight; the day is taken back the same way.
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
internal fun Picker(item: FormItem, tag: String, form: (FormEvent) -> Unit) {
    val initial = when (val kind = item.kind) {
        is FormItemKind.Date -> kind.initial
        is FormItemKind.DateTime -> kind.initial
        else -> return
    }
    val withTime = item.kind is FormItemKind.DateTime
    val date = rememberDatePickerState(initialSelectedDateMillis = millisOf(initial))
    val time = rememberTimePickerState(initialHour = initial.hour.toInt(), initialMinute = initial.minute.toInt(), is24Hour = true)
    LaunchedEffect(item.id) {
        snapshotFlow { Triple(date.selectedDateMillis, time.hour, time.minute) }
            .distinctUntilChanged()
            .drop(1)
            .collect { (millis, hour, minute) ->
                val day = millis?.let { Instant.ofEpochMilli(it).atOffset(ZoneOffset.UTC).toLocalDate() } ?: return@collect
                if (withTime) {
                    form(FormEvent.PickDateTime(item.id, FormDate(day.year, day.monthValue.toUInt(), day.dayOfMonth.toUInt(), hour.toUInt(), minute.toUInt())))
                } else {
                    form(FormEvent.PickDate(item.id, day.year, day.monthValue.toUInt(), day.dayOfMonth.toUInt()))
                }
            }
    }
    Column(Modifier.fillMaxWidth().testTag("$tag.picker")) {
        DatePicker(
            state = date,
            title = null,
            headline = null,
            showModeToggle = false,
            colors = DatePickerDefaults.colors(),
        )
        if (withTime) TimePicker(state = time)
    }
}

private fun millisOf(day: FormDate): Long =
    LocalDate.of(day.year, day.month.toInt(), day.day.toInt()).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()
