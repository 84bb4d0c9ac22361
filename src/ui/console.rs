//! The AWS CLI console: a command line beside the diagram that takes the `aws` commands for every
//! change the lab models, prints the describe commands in the AWS CLI's shapes, completes with
//! Tab, keeps a history on the arrow keys, and exports the changes made as a script. Reading and
//! writing the commands is the core's ([`crate::sim::cli`]); this file is the panel. Loaded just
//! after the page is live, like the other panels below the first screen.

use super::{exercises, use_sim};
use crate::sim::cli::{self, Parsed};
use crate::sim::Applied;
use leptos::prelude::*;
use std::collections::VecDeque;

/// Answers kept on screen; older ones scroll away for good, so a long session stays small.
const MAX_ENTRIES: usize = 40;
/// Lines the arrow keys go back through.
const MAX_HISTORY: usize = 100;

#[derive(Clone, Debug, PartialEq)]
struct Entry {
    id: u64,
    line: String,
    answer: String,
    is_error: bool,
}

#[component]
pub fn ConsolePanel() -> impl IntoView {
    let panel = super::OnDemand::default();
    move || panel.view(load_console_panel)
}

#[cfg_attr(alb_split, leptos::lazy)]
async fn load_console_panel() -> fn() -> AnyView {
    (|| console_panel().into_any()) as fn() -> AnyView
}

/// What the console says for one line, and whether it is an error. Changes go through the same
/// [`super::SimHandle::dispatch`] as the forms, so goals, the event log and share links follow.
fn run_line(handle: super::SimHandle, ex: exercises::Exercises, line: &str) -> (String, bool) {
    let parsed = handle.peek(|s| cli::parse(line, s.scenario()));
    match parsed {
        Err(e) => (e.0, true),
        Ok(Parsed::Nothing) => (String::new(), false),
        Ok(Parsed::Describe(what)) => match handle.peek(|s| cli::describe(s, &what)) {
            Ok(text) => (text, false),
            Err(e) => (e.0, true),
        },
        Ok(Parsed::Change { operation, command }) => {
            let locked = ex.active.with_untracked(|a| {
                let a = a.as_ref().filter(|a| !a.is_sandbox)?;
                let group = handle.peek(|s| crate::sim::exercise::knob_group(&command, s.scenario()))?;
                (!a.exercise.unlocked.iter().any(|u| u == group)).then_some(group)
            });
            if let Some(group) = locked {
                return (format!("This exercise keeps the {group} settings locked: {operation} is not allowed here. Try a change to an unlocked part of the path."), true);
            }
            match handle.dispatch(command) {
                Ok(Applied::Changed(text)) => (text, false),
                Ok(Applied::Sent(id)) => (format!("Request {id} sent."), false),
                Err(e) => (cli::service_error(operation, &e), true),
            }
        }
    }
}

/// The longest start all the words share.
fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else { return String::new() };
    let mut end = first.len();
    for w in &words[1..] {
        end = end.min(first.char_indices().zip(w.chars()).take_while(|((_, a), b)| a == b).count());
    }
    first.chars().take(end).collect()
}

fn console_panel() -> impl IntoView {
    let handle = use_sim();
    let ex = exercises::use_exercises();
    let input = RwSignal::new(String::new());
    let entries = RwSignal::new(VecDeque::<Entry>::new());
    let next_id = StoredValue::new(0u64);
    let history = StoredValue::new(VecDeque::<String>::new());
    // Where the arrow keys are in the history; `None` while editing a new line.
    let history_at = StoredValue::new(None::<usize>);
    let suggestions = RwSignal::new(Vec::<String>::new());
    let export = RwSignal::new(None::<(String, Option<String>)>);
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let log_ref = NodeRef::<leptos::html::Ol>::new();
    // The newest answer is the one to read: keep the log scrolled to its end, as a terminal does.
    Effect::new(move |_| {
        entries.track();
        if let Some(log) = log_ref.get_untracked() {
            log.set_scroll_top(log.scroll_height());
        }
    });

    let run = move || {
        let line = input.get_untracked();
        suggestions.set(vec![]);
        history_at.set_value(None);
        if line.trim().is_empty() {
            return;
        }
        history.update_value(|h| {
            if h.back() != Some(&line) {
                h.push_back(line.clone());
            }
            while h.len() > MAX_HISTORY {
                h.pop_front();
            }
        });
        let (answer, is_error) = run_line(handle, ex, &line);
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        entries.update(|e| {
            e.push_back(Entry { id, line: line.clone(), answer, is_error });
            while e.len() > MAX_ENTRIES {
                e.pop_front();
            }
        });
        input.set(String::new());
    };

    let complete = move || -> bool {
        let line = input.get_untracked();
        if line.trim().is_empty() {
            return false;
        }
        let options = handle.peek(|s| cli::complete(&line, s.scenario()));
        if options.is_empty() {
            return false;
        }
        // Where the last word starts: after the last whitespace, whatever its width in bytes.
        let start = line.char_indices().rev().find(|(_, c)| c.is_whitespace()).map(|(i, c)| i + c.len_utf8()).unwrap_or(0);
        let typed = &line[start..];
        let shared = common_prefix(&options);
        if options.len() == 1 {
            input.set(format!("{}{} ", &line[..start], options[0]));
            suggestions.set(vec![]);
            true
        } else if shared.chars().count() > typed.chars().count() {
            input.set(format!("{}{shared}", &line[..start]));
            suggestions.set(options);
            true
        } else if suggestions.with_untracked(|s| *s != options) {
            suggestions.set(options);
            true
        } else {
            // Nothing more to complete, and the choices are on screen: Tab moves focus on.
            false
        }
    };

    let recall = move |older: bool| {
        let h = history.get_value();
        if h.is_empty() {
            return;
        }
        let at = match (history_at.get_value(), older) {
            (None, true) => Some(h.len() - 1),
            (None, false) => None,
            (Some(i), true) => Some(i.saturating_sub(1)),
            (Some(i), false) if i + 1 < h.len() => Some(i + 1),
            (Some(_), false) => None,
        };
        history_at.set_value(at);
        input.set(at.map(|i| h[i].clone()).unwrap_or_default());
    };

    let on_keydown = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            run();
        }
        // Tab completes while there is something to complete; otherwise it moves focus on, so
        // keyboard users are never trapped in the console.
        "Tab" if !ev.shift_key() && complete() => ev.prevent_default(),
        "ArrowUp" => {
            ev.prevent_default();
            recall(true);
        }
        "ArrowDown" => {
            ev.prevent_default();
            recall(false);
        }
        "Escape" => suggestions.set(vec![]),
        _ => {}
    };

    let make_export = move || {
        let (script, terraform) = handle.peek(|s| {
            let (changes, dropped) = s.changes();
            let list: Vec<cli::ExportedChange> = changes
                .map(|c| cli::ExportedChange { at_ms: c.at_ms, summary: &c.summary, command: &c.command, before: &c.before })
                .collect();
            (cli::export_script(&s.scenario().name, &list, dropped), cli::export_terraform(&list))
        });
        export.set(Some((script, terraform)));
    };

    // Rebuilt when the setup changes, not on every frame, so a click on one is never lost.
    let examples = Memo::new(move |_| {
        handle.config_version.track();
        handle.peek(|s| {
            let sc = s.scenario();
            let tg = sc.target_groups.first().map(crate::sim::scenario::target_group_arn).unwrap_or_default();
            let group = sc.task_security_groups().into_iter().next().unwrap_or_else(|| "sg-task".into());
            vec![
                format!("aws elbv2 describe-target-health --target-group-arn {tg}"),
                format!("aws ec2 describe-security-groups --group-ids {group}"),
            ]
        })
    });

    view! {
        <section class="panel console" aria-labelledby="console-heading">
            <h2 id="console-heading">"AWS CLI"</h2>
            <p class="panel__hint">
                "Type the aws commands you would run against a real account: they change the lab as they would change it. "
                "Tab completes, ↑ and ↓ go through what you typed. Try "
                {move || examples.get().into_iter().map(|e| view! {
                    <button class="console__example" type="button" on:click=move |_| {
                        input.set(e.clone());
                        if let Some(el) = input_ref.get() { let _ = el.focus(); }
                    }><code>{e.clone()}</code></button>
                }).collect_view()}
            </p>
            <ol class="console__log" node_ref=log_ref aria-label="Console output" tabindex="0">
                <For each=move || entries.get() key=|e| e.id let:e>
                    <li class="console__entry">
                        <pre class="console__line">{format!("$ {}", e.line)}</pre>
                        {(!e.answer.is_empty()).then(|| view! {
                            <pre class="console__answer" class:console__answer--error=e.is_error>
                                {e.is_error.then(|| view! { <span class="sr-only">"Error: "</span> })}
                                {e.answer.clone()}
                            </pre>
                        })}
                    </li>
                </For>
            </ol>
            // A short answer for screen readers; the whole answer (a page of JSON) is in the log.
            <p class="sr-only" role="status">
                {move || entries.with(|e| e.back().map(|e| {
                    let lines = e.answer.lines().count();
                    match (e.is_error, lines) {
                        (true, _) => format!("Error: {}", e.answer),
                        (false, 0) => String::new(),
                        (false, 1) => e.answer.clone(),
                        (false, n) => format!("Printed {n} lines of JSON."),
                    }
                }))}
            </p>
            <form class="console__prompt" on:submit=move |ev| { ev.prevent_default(); run(); }>
                <label for="console-input" class="console__dollar">"$"</label>
                <input
                    id="console-input"
                    node_ref=input_ref
                    type="text"
                    aria-label="AWS CLI command"
                    aria-describedby="console-suggestions"
                    autocomplete="off"
                    maxlength=cli::MAX_LINE_CHARS.to_string()
                    autocapitalize="off"
                    spellcheck="false"
                    placeholder="aws ec2 authorize-security-group-ingress …"
                    prop:value=move || input.get()
                    on:input=move |ev| { input.set(event_target_value(&ev)); suggestions.set(vec![]); }
                    on:keydown=on_keydown
                />
                <button class="button button--small" type="submit">"Run"</button>
            </form>
            <p id="console-suggestions" class="console__suggestions" aria-live="polite">
                {move || {
                    let s = suggestions.get();
                    (!s.is_empty()).then(|| format!("Tab: {}", s.join("  ")))
                }}
            </p>
            <div class="button-row">
                <button class="button button--small" type="button" on:click=move |_| make_export()>"Export my fixes"</button>
            </div>
            {move || export.get().map(|(script, terraform)| {
                let for_copy = script.clone();
                let for_download = script.clone();
                view! {
                    <div class="console__export" role="region" aria-label="Your changes as a script">
                        <p class="panel__hint">"The changes made since the start, as a shell script. Replace the lab's ids with yours before running it."</p>
                        <pre class="console__script" tabindex="0" aria-label="Shell script of your changes">{script}</pre>
                        <div class="button-row">
                            <button class="button button--small" type="button" on:click=move |_| super::share::copy_to_clipboard(&for_copy)>"Copy script"</button>
                            <button class="button button--small" type="button" on:click=move |_| exercises::download("alb-lab-fixes.sh", &for_download, "text/x-shellscript")>"Download alb-lab-fixes.sh"</button>
                            <button class="button button--small" type="button" on:click=move |_| export.set(None)>"Close"</button>
                        </div>
                        {terraform.map(|tf| view! {
                            <p class="panel__hint">"The same in Terraform, where a change maps to one setting:"</p>
                            <pre class="console__script" tabindex="0" aria-label="Terraform for your changes">{tf}</pre>
                        })}
                    </div>
                }
            })}
        </section>
    }
}
