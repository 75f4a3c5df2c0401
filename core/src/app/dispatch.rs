//! Events, effects' answers and drawing, dispatched to the screen on top of the back stack
//! (or to the one that asked for the effect).

use super::*;

impl App {
    /// Delivers an effect's answer to the screen that asked for it.
    pub(super) fn answer(
        &self,
        state: &mut State,
        request: u64,
        answer: Option<Answer>,
    ) -> AppResult<Outcome> {
        let Some(at) = state.pending.iter().position(|p| p.request == request) else {
            return Err(self.unanswerable(state, request));
        };
        let pending = state.pending.remove(at);
        let answer = match answer {
            Some(answer) => answer,
            None => Answer::Photo {
                path: pending
                    .path
                    .clone()
                    .unwrap_or_else(|| self.photo_path(request)),
            },
        };
        let reader = lock(&self.reader);
        let State {
            stack,
            lang,
            pending: waiting,
            next_request,
            ..
        } = state;
        let depth = pending.depth;
        let mut cx = Cx::new(
            self.now(),
            *lang,
            &reader,
            &self.writer,
            &self.files,
            depth,
            waiting,
            next_request,
        );
        let route = &mut stack[depth];
        let outcome = match (route, pending.purpose) {
            (Route::Enroll(input), Purpose::Enroll(p)) => {
                screens::enroll::answer(&mut cx, input, p, answer)?
            }
            (Route::Today(input), Purpose::Today(p)) => {
                screens::today::answer(&mut cx, input, p, answer)?
            }
            (Route::Household { id }, Purpose::Household(p)) => {
                screens::household::answer(&mut cx, *id, p, answer)?
            }
            (Route::WorkOrder { id }, Purpose::Order(p)) => {
                screens::order::answer(&mut cx, *id, p, answer)?
            }
            (Route::Form(input), Purpose::Form(p)) => {
                screens::form::answer(&mut cx, input, p, answer)?
            }
            (Route::Action(input), Purpose::Action(p)) => {
                screens::actions::answer(&mut cx, input, p, answer)?
            }
            (Route::Outage(input), Purpose::Outage(p)) => {
                screens::outage::answer(&mut cx, input, p, answer)?
            }
            _ => return Err(AppError::LateAnswer { request }),
        };
        Ok(outcome)
    }

    /// A screen's own event, for the screen on top.
    pub(super) fn on_screen(
        &self,
        state: &mut State,
        event: Event,
        now: DateTime<Utc>,
    ) -> AppResult<Outcome> {
        let reader = lock(&self.reader);
        let State {
            stack,
            lang,
            pending,
            next_request,
            sync,
            ..
        } = state;
        let depth = stack.len() - 1;
        let mut cx = Cx::new(
            now,
            *lang,
            &reader,
            &self.writer,
            &self.files,
            depth,
            pending,
            next_request,
        );
        let route = &mut stack[depth];
        let screen = route_name(route);
        let event_name = event_name(&event);
        let outcome = match (route, event) {
            (Route::Enroll(input), Event::Enroll(e)) => {
                screens::enroll::handle(&mut cx, input, e, &self.syncer, &self.config)?
            }
            (Route::Today(input), Event::Today(e)) => screens::today::handle(&mut cx, input, e)?,
            (Route::Household { id }, Event::Household(e)) => {
                screens::household::handle(&mut cx, *id, e)?
            }
            (Route::WorkOrder { id }, Event::Order(e)) => screens::order::handle(&mut cx, *id, e)?,
            (Route::Form(input), Event::Form(e)) => screens::form::handle(&mut cx, input, e)?,
            (Route::Signature(input), Event::Signature(e)) => {
                screens::signature::handle(&mut cx, input, e)?
            }
            (Route::Sync, Event::Sync(e)) => {
                let cancel = e == screens::sync::SyncEvent::Cancel;
                let outcome = screens::sync::handle(&mut cx, sync, e)?;
                if cancel {
                    self.cancel_sync();
                }
                outcome
            }
            (Route::Search(input), Event::Search(e)) => screens::search::handle(&mut cx, input, e)?,
            (Route::Settings, Event::Settings(e)) => screens::settings::handle(&mut cx, lang, e)?,
            (Route::Action(input), Event::Action(e)) => {
                screens::actions::handle(&mut cx, input, e)?
            }
            (Route::Outage(input), Event::Outage(e)) => screens::outage::handle(&mut cx, input, e)?,
            (Route::Fees(input), Event::Fees(e)) => screens::fees::handle(&mut cx, input, e)?,
            (Route::Copy(input), Event::Copy(e)) => screens::copy::handle(&mut cx, input, e)?,
            _ => {
                return Err(AppError::NotOnThisScreen {
                    event: event_name,
                    screen,
                });
            }
        };
        Ok(outcome)
    }

    /// The screen on top, drawn from the read-only connection.
    pub(super) fn render(&self, state: &mut State) -> AppResult<ScreenState> {
        let reader = lock(&self.reader);
        let notice = state.notice.clone();
        let locked = state.locked;
        let State {
            stack,
            lang,
            pending,
            next_request,
            sync,
            ..
        } = state;
        let depth = stack.len() - 1;
        let mut scratch = pending.clone();
        let mut scratch_next = *next_request;
        let cx = Cx::new(
            self.now(),
            *lang,
            &reader,
            &self.writer,
            &self.files,
            depth,
            &mut scratch,
            &mut scratch_next,
        );
        let body = if locked {
            Screen::Locked(screens::lock::render(&cx)?)
        } else {
            match &stack[depth] {
                Route::Enroll(input) => Screen::Enroll(screens::enroll::render(&cx, input)?),
                Route::Today(input) => Screen::Today(screens::today::render(&cx, input, sync)?),
                Route::Household { id } => Screen::Household(screens::household::render(&cx, *id)?),
                Route::WorkOrder { id } => Screen::WorkOrder(screens::order::render(&cx, *id)?),
                Route::Form(input) => Screen::Form(screens::form::render(&cx, input)?),
                Route::Signature(input) => {
                    Screen::Signature(screens::signature::render(&cx, input)?)
                }
                Route::Sync => Screen::Sync(screens::sync::render(&cx, sync)?),
                Route::Search(input) => Screen::Search(screens::search::render(&cx, input)?),
                Route::Settings => Screen::Settings(screens::settings::render(&cx, sync)?),
                Route::Action(input) => Screen::Action(screens::actions::render(&cx, input)?),
                Route::Outage(input) => Screen::Outage(screens::outage::render(&cx, input)?),
                Route::Fees(input) => Screen::Fees(screens::fees::render(&cx, input)?),
                Route::Copy(input) => Screen::Copy(screens::copy::render(&cx, input)?),
            }
        };
        Ok(ScreenState {
            body,
            can_go_back: !locked && depth > 0,
            back_label: cx.say("返回", "Back"),
            notice,
        })
    }
}

pub(super) fn route_name(route: &Route) -> &'static str {
    match route {
        Route::Enroll(_) => "enroll",
        Route::Today(_) => "today",
        Route::Household { .. } => "household",
        Route::WorkOrder { .. } => "work_order",
        Route::Form(_) => "form",
        Route::Signature(_) => "signature",
        Route::Sync => "sync",
        Route::Search(_) => "search",
        Route::Settings => "settings",
        Route::Action(_) => "action",
        Route::Outage(_) => "outage",
        Route::Fees(_) => "fees",
        Route::Copy(_) => "copy",
    }
}

pub(super) fn event_name(event: &Event) -> &'static str {
    match event {
        Event::Enroll(_) => "enroll",
        Event::Today(_) => "today",
        Event::Household(_) => "household",
        Event::Order(_) => "order",
        Event::Form(_) => "form",
        Event::Signature(_) => "signature",
        Event::Sync(_) => "sync",
        Event::Search(_) => "search",
        Event::Settings(_) => "settings",
        Event::Action(_) => "action",
        Event::Outage(_) => "outage",
        Event::Fees(_) => "fees",
        Event::Copy(_) => "copy",
        _ => "app",
    }
}
