//! The app's life around its screens: coming back to the foreground, the minute's tick and the
//! periodic sync, the lock and its prompt, and the wipe of a revoked device.

use super::*;

impl App {
    pub(super) fn resumed(&self, state: &mut State, now: DateTime<Utc>) -> AppResult<Outcome> {
        let idle = state
            .last_active
            .is_some_and(|at| now - at >= self.config.lock_after);
        if idle && self.enrolled()? {
            state.locked = true;
            return Ok(self.ask_unlock(state));
        }
        // The idle time runs from the first start too, not only from the first tap.
        state.last_active.get_or_insert(now);
        let mut outcome = self.tick(state, now)?;
        let depth = state.stack.len() - 1;
        if let Some(Route::Today(input)) = state.stack.last_mut()
            && !state.locked
        {
            let reader = lock(&self.reader);
            let mut cx = Cx::new(
                now,
                state.lang,
                &reader,
                &self.writer,
                &self.files,
                depth,
                &mut state.pending,
                &mut state.next_request,
            );
            outcome
                .effects
                .extend(screens::today::resumed(&mut cx, input));
        }
        Ok(outcome)
    }

    pub(super) fn tick(&self, state: &mut State, now: DateTime<Utc>) -> AppResult<Outcome> {
        // Left open and untouched in the foreground: locked as if it had gone to the background.
        let idle = state
            .last_active
            .is_some_and(|at| now - at >= self.config.lock_after);
        let mut outcome = if idle && !state.locked && self.enrolled()? {
            state.locked = true;
            self.ask_unlock(state)
        } else {
            Outcome::stay()
        };
        let due = state
            .sync_asked
            .is_none_or(|at| now - at >= self.config.sync_every);
        if due && self.enrolled()? && state.sync.running.is_none() {
            state.sync_asked = Some(now);
            outcome = outcome.with_effect(Effect::SyncNow);
        }
        Ok(outcome)
    }

    pub(super) fn enrolled(&self) -> AppResult<bool> {
        if self.is_wiped() {
            return Ok(false);
        }
        Ok(lock(&self.reader).sync_state()?.technician_id.is_some())
    }

    pub(super) fn ask_unlock(&self, state: &mut State) -> Outcome {
        state.next_request += 1;
        let request = state.next_request;
        state.pending.retain(|p| p.purpose != Purpose::Unlock);
        state.pending.push(Pending {
            request,
            depth: 0,
            purpose: Purpose::Unlock,
            path: None,
        });
        let prompt = match state.lang {
            Lang::Zh => "请验证身份以解锁",
            Lang::En => "Confirm it is you to unlock",
        };
        Outcome::stay().with_effect(Effect::Unlock {
            request,
            prompt: prompt.into(),
        })
    }

    pub(super) fn while_locked(&self, state: &mut State, event: Event) -> AppResult<Vec<Effect>> {
        match event {
            Event::Unlocked { request } => {
                let Some(at) = state.pending.iter().position(|p| p.request == request) else {
                    return Err(self.unanswerable(state, request));
                };
                state.pending.remove(at);
                state.locked = false;
                state.last_active = Some(self.now());
                Ok(Vec::new())
            }
            Event::Resumed | Event::Unlock => Ok(self.ask_unlock(state).effects),
            Event::EffectFailed { request, .. } => {
                state.pending.retain(|p| p.request != request);
                Ok(Vec::new())
            }
            // A locked phone still syncs: urgent work must reach it, and notify.
            Event::Tick => Ok(self.tick(state, self.now())?.effects),
            Event::Paused => Ok(Vec::new()),
            Event::SetLanguage { lang } => {
                state.lang = lang;
                Ok(Vec::new())
            }
            _ => Err(AppError::Locked),
        }
    }

    /// Wipes the store of a revoked device: the store file, its WAL, the photo vault, the
    /// files for the shell and the saved state; the app then shows the Enroll screen with why,
    /// and asks the shell to forget the store key. The open connections are moved to an empty
    /// throwaway store first, so that closing them later touches nothing of a new enrollment.
    pub(super) fn wipe(&self, state: &mut State) -> AppResult<Vec<Effect>> {
        self.wiped.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut writer = lock(&self.writer);
        let mut reader = lock(&self.reader);
        let path = writer.path().to_path_buf();
        let scratch = self.config.dir.join("wiped");
        std::fs::create_dir_all(&scratch).map_err(Error::from)?;
        let scratch_db = scratch.join("empty.db");
        let scratch_key = StoreKey::generate();
        let old_writer = std::mem::replace(&mut *writer, Store::open(&scratch_db, &scratch_key)?);
        let old_reader =
            std::mem::replace(&mut *reader, Store::open_reader(&scratch_db, &scratch_key)?);
        drop((old_reader, old_writer));
        let mut files = vec![path.clone()];
        files.extend(
            ["-wal", "-shm"].map(|side| PathBuf::from(format!("{}{side}", path.display()))),
        );
        for file in files {
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::from(e).into()),
            }
        }
        for dir in [crate::store::photo_dir(&path), self.files.clone(), scratch] {
            match std::fs::remove_dir_all(&dir) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::from(e).into()),
            }
        }
        self.saved.forget()?;
        state.stack = vec![Route::Enroll(screens::enroll::EnrollInput {
            message: Some(screens::sync::wiped_message()),
            ..Default::default()
        })];
        state.pending.clear();
        state.notified.clear();
        state.sync = SyncView::default();
        state.locked = false;
        tracing::warn!("the device was revoked: its store was wiped");
        Ok(vec![Effect::ForgetStoreKey])
    }
}
