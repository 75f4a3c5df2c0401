package app.doorstep.ui.parts

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.DatePicker
import androidx.compose.material3.DatePickerDefaults
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.TimeInput
import androidx.compose.material3.TimePickerDefaults
import androidx.compose.material3.rememberDatePickerState
import androidx.compose.material3.rememberTimePickerState
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberUpdatedState
import androidx.compose.runtime.snapshotFlow
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import app.doorstep.core.FormDate
import app.doorstep.ui.theme.Palette
import java.time.Instant
import java.time.LocalDate
import java.time.LocalDateTime
import java.time.ZoneOffset

/**
 * Pickers for a day and a time of day, drawn inline (no dialog: nothing to confirm or cancel,
 * so no words of our own): Material 3's DatePicker (its calendar only, no headline) and its
 * TimeInput in 24 hours. Every change is handed at once to [DateTimePicker]'s `onPick` as a
 * whole [FormDate], which the screen sends to the core; what the field holds is what the core
 * says ([chosen]), so the core stays the one truth. Used by the Action screen's time fields
 * (through [Beijing], from and to the core's instants) and open to the form's date items
 * (`FormItemKind.Date` / `DateTime` give a `FormDate` already).
 */

/**
 * The core's times are Beijing time (UTC+8, no daylight saving since 1991): a picker shows
 * an instant on that clock and gives back the instant of what was picked. This is the
 * picker's reading of the core's [Instant], not a rule: the core formats every time it shows.
 */
object Beijing {
    private val offset: ZoneOffset = ZoneOffset.ofHours(8)

    fun date(at: Instant): FormDate {
        val local = LocalDateTime.ofInstant(at, offset)
        return FormDate(local.year, local.monthValue.toUInt(), local.dayOfMonth.toUInt(), local.hour.toUInt(), local.minute.toUInt())
    }

    fun instant(date: FormDate): Instant =
        LocalDateTime.of(date.year, date.month.toInt(), date.day.toInt(), date.hour.toInt(), date.minute.toInt())
            .toInstant(offset)
}

/** The picker's calendar counts days as UTC midnights. */
private fun FormDate.dayMillis(): Long =
    LocalDate.of(year, month.toInt(), day.toInt()).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli()

private fun dayOf(millis: Long): LocalDate = Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC).toLocalDate()

/**
 * A day (and, [withTime], a time of day) to pick: [chosen] is what the core holds (none yet:
 * the calendar opens on [opensAt] with no day marked, and nothing is sent until a day is
 * tapped); each change calls [onPick] with the whole date and time.
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun DateTimePicker(
    chosen: FormDate?,
    opensAt: FormDate,
    withTime: Boolean,
    onPick: (FormDate) -> Unit,
    modifier: Modifier = Modifier,
    tag: String? = null,
) {
    val shown = chosen ?: opensAt
    val days = rememberDatePickerState(
        initialSelectedDateMillis = chosen?.dayMillis(),
        initialDisplayedMonthMillis = shown.dayMillis(),
    )
    val clock = rememberTimePickerState(shown.hour.toInt(), shown.minute.toInt(), is24Hour = true)
    val held by rememberUpdatedState(chosen)
    val pick by rememberUpdatedState(onPick)

    // What the core holds, drawn: a change the core made (or refused) puts the pickers back on it.
    LaunchedEffect(chosen) {
        val now = chosen ?: return@LaunchedEffect
        if (days.selectedDateMillis != now.dayMillis()) days.selectedDateMillis = now.dayMillis()
        if (withTime && clock.hour != now.hour.toInt()) clock.hour = now.hour.toInt()
        if (withTime && clock.minute != now.minute.toInt()) clock.minute = now.minute.toInt()
    }
    // What the user picked, sent whole when it differs from what the core holds.
    LaunchedEffect(days, clock) {
        snapshotFlow { Triple(days.selectedDateMillis, clock.hour, clock.minute) }.collect { (millis, hour, minute) ->
            val day = dayOf(millis ?: return@collect)
            val picked = FormDate(
                day.year,
                day.monthValue.toUInt(),
                day.dayOfMonth.toUInt(),
                if (withTime) hour.toUInt() else 0u,
                if (withTime) minute.toUInt() else 0u,
            )
            val now = held
            val same = now != null && now.year == picked.year && now.month == picked.month && now.day == picked.day &&
                (!withTime || (now.hour == picked.hour && now.minute == picked.minute))
            if (!same) pick(picked)
        }
    }

    Column(
        modifier.fillMaxWidth().let { if (tag != null) it.testTag(tag) else it },
        verticalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        DatePicker(
            state = days,
            title = null,
            headline = null,
            showModeToggle = false,
            colors = DatePickerDefaults.colors(
                containerColor = Palette.PaperDim,
                weekdayContentColor = Palette.InkMuted,
                subheadContentColor = Palette.InkMuted,
                navigationContentColor = Palette.Ink,
                yearContentColor = Palette.Ink,
                currentYearContentColor = Palette.Blue,
                selectedYearContentColor = Palette.Paper,
                selectedYearContainerColor = Palette.Blue,
                dayContentColor = Palette.Ink,
                selectedDayContentColor = Palette.Paper,
                selectedDayContainerColor = Palette.Blue,
                todayContentColor = Palette.Blue,
                todayDateBorderColor = Palette.Blue,
            ),
            modifier = Modifier.fillMaxWidth().let { if (tag != null) it.testTag("$tag.day") else it },
        )
        if (withTime) {
            TimeInput(
                state = clock,
                colors = TimePickerDefaults.colors(
                    timeSelectorSelectedContainerColor = Palette.BlueLight,
                    timeSelectorSelectedContentColor = Palette.BlueDark,
                    timeSelectorUnselectedContainerColor = Palette.PaperDim,
                    timeSelectorUnselectedContentColor = Palette.Ink,
                ),
                modifier = if (tag != null) Modifier.testTag("$tag.time") else Modifier,
            )
        }
    }
}
