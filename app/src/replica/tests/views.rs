//! The views a replica keeps: every record's history and the recent changes, stored views
//! shown at once and resumed, and the screens' copy that follows them from elsewhere.

use desmigratif_model::{Author, Collection, Edit, HistoryEntry, Person, RecordId};

use super::*;

/// The chunks a run of effects stored, as the device's storage would hold them.
fn stored_chunks(effects: &[Effect]) -> Vec<(String, Vec<u8>)> {
    effects
        .iter()
        .enumerate()
        .filter_map(|(n, e)| match e {
            Effect::Persist { changes, .. } if !changes.is_empty() => {
                Some((format!("k{n}"), changes.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn the_view_keeps_every_records_history_and_the_recent_changes_as_a_fresh_read_has_them() {
    let mut relay = Relay::new(5);
    let mut replica = fresh_replica();
    let first = replica.connect();
    pump(&mut replica, &mut relay, first);
    let ids: Vec<RecordId> = relay.doc.snapshot().persons.keys().cloned().collect();
    // Edits here, and edits at the relay (another device) arriving while the view is open.
    let ani = Author::new("desa", "hp-ani");
    let budi = Author::new("desa", "hp-budi");
    for (n, id) in ids.iter().enumerate() {
        let (_, _, _) = replica
            .edit(&doc_id(), |d| {
                let before: Person = d.get(id).unwrap();
                let mut after = before.clone();
                after.phone = Some(format!("0812{n:08}"));
                d.update(&before, &after, &ani, 10 + n as i64)
            })
            .unwrap();
        let before: Person = relay.doc.get(&ids[0]).unwrap();
        let mut after = before.clone();
        after.notes = Some(format!("catatan {n}"));
        relay.doc.update(&before, &after, &budi, 20 + n as i64).unwrap();
    }
    let offered = replica.stored(&doc_id(), "local".into(), true);
    pump(&mut replica, &mut relay, offered);
    let replies = relay.reply(&doc_id(), "desa/hp/tab");
    let effects: Vec<Effect> = replies.iter().flat_map(|r| replica.received(r)).collect();
    pump(&mut replica, &mut relay, effects);

    let fresh: Vec<_> = ids
        .iter()
        .map(|id| {
            replica
                .read(&doc_id(), |d| d.history(Collection::Persons, id))
                .unwrap()
        })
        .collect();
    let recent = replica.read(&doc_id(), |d| d.recent_changes(RECENT)).unwrap();
    let view = replica.view(&doc_id()).unwrap();
    for (id, fresh) in ids.iter().zip(&fresh) {
        let kept = view.history(Collection::Persons, id);
        // The same entries; concurrent ones may be in another (still causal) order.
        let key = |h: &HistoryEntry| (h.time, h.author.device.clone(), h.fields.clone());
        let mut a: Vec<_> = kept.iter().map(key).collect();
        let mut b: Vec<_> = fresh.iter().map(key).collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        assert!(kept.len() >= 2, "created, then edited");
    }
    assert_eq!(
        fresh[0].len(),
        2 + ids.len(),
        "created, edited here, edited 5 times there"
    );
    let times = |r: &[(Collection, RecordId, HistoryEntry)]| {
        let mut t: Vec<i64> = r.iter().map(|(_, _, h)| h.time).collect();
        t.sort();
        t
    };
    assert_eq!(times(&view.recent), times(&recent));
}

#[test]
fn a_stored_view_is_shown_before_the_document_loads_and_resumed_from_the_changes_since() {
    let mut relay = Relay::new(4);
    let mut replica = fresh_replica();
    let first = replica.connect();
    let effects = pump(&mut replica, &mut relay, first);
    let chunks = stored_chunks(&effects);
    let stored = replica
        .stored_view(&doc_id())
        .expect("a loaded village has a view");

    // Reopened with the stored view and the same chunks: shown at once, nothing re-read.
    let mut again = Replica::new("desa/hp/tab2".into());
    again.add_stored_view(&doc_id(), true, Some(&stored));
    assert_eq!(again.view(&doc_id()).unwrap().snapshot.persons.len(), 4);
    assert!(!again.is_loaded(&doc_id()));
    assert!(matches!(
        again.edit(&doc_id(), |_| Ok(())),
        Err(EditRefused::NotLoaded)
    ));
    assert!(again.received(b"garbage").is_empty());
    let effects = again.load(&doc_id(), chunks.clone(), None);
    assert!(effects.is_empty(), "nothing new to show: {effects:?}");
    assert!(again.is_loaded(&doc_id()));

    // A change stored after the view: the view is brought up to date from it.
    let by = Author::new("desa", "hp");
    let (id, change, _) = again
        .edit(&doc_id(), |d| {
            d.create(Person::new(RecordId::random(), "Sesudah"), &by, 5)
        })
        .unwrap();
    let mut more = chunks.clone();
    more.push(("later".into(), change));
    let mut third = Replica::new("desa/hp/tab3".into());
    third.add_stored_view(&doc_id(), true, Some(&stored));
    let effects = third.load(&doc_id(), more, None);
    assert_eq!(effects, vec![Effect::Changed(doc_id())]);
    let fresh = third.read(&doc_id(), |d| d.snapshot()).unwrap();
    let view = third.view(&doc_id()).unwrap();
    assert!(view.snapshot.same_as(&fresh));
    assert!(view.snapshot.person(&id).is_some());
    assert_eq!(view.history(Collection::Persons, &id).len(), 1);

    // A view stored after a change that never reached storage is not trusted.
    let ahead = again.stored_view(&doc_id()).unwrap();
    let mut fourth = Replica::new("desa/hp/tab4".into());
    fourth.add_stored_view(&doc_id(), true, Some(&ahead));
    fourth.load(&doc_id(), chunks, None);
    let view = fourth.view(&doc_id()).unwrap();
    assert!(view.snapshot.person(&id).is_none());
    assert!(view.history(Collection::Persons, &id).is_empty());
    assert_eq!(view.snapshot.persons.len(), 4);

    // A damaged stored view is ignored.
    let mut fifth = Replica::new("desa/hp/tab5".into());
    fifth.add_stored_view(&doc_id(), true, Some(&stored[..stored.len() / 2]));
    assert!(fifth.view(&doc_id()).is_none());
}

/// The screens' copy of a village, kept apart from the documents (in the window, while the
/// documents live in a worker), follows every update sent as postcard: it starts from the same
/// stored view, or from the view sent whole, and shows what the replica's own view shows after a
/// download, local edits, another tab's chunks and a resumed stored view. An update missed asks
/// for the view whole.
#[test]
fn the_screens_copy_follows_the_replicas_view_through_updates() {
    fn follow(replica: &mut Replica, copy: &mut Option<VillageView>) {
        for update in replica.screen_updates(&doc_id()) {
            let sent: ScreenUpdate = postcard::from_bytes(&postcard::to_allocvec(&update).unwrap()).unwrap();
            match sent {
                ScreenUpdate::View(bytes) => *copy = VillageView::decode(&bytes),
                ScreenUpdate::Delta(delta) => copy
                    .as_mut()
                    .expect("a delta follows a view")
                    .follow(&delta)
                    .expect("deltas come in order"),
                ScreenUpdate::Reference(_) => panic!("a village has no reference data"),
            }
        }
        let copy = copy.as_ref().expect("the copy has a view");
        assert!(
            copy.same_as(replica.view(&doc_id()).unwrap()),
            "the copy shows what the replica shows"
        );
    }

    let mut relay = Relay::new(6);
    let mut replica = Replica::new("desa/hp/tab".into());
    replica.follow();
    replica.add_doc(&doc_id(), true, Vec::new(), None);
    let mut copy = None;
    let first = replica.connect();
    let effects = pump(&mut replica, &mut relay, first);
    follow(&mut replica, &mut copy);
    assert_eq!(copy.as_ref().unwrap().snapshot.persons.len(), 6);

    let by = Author::new("desa", "hp");
    let baru = Person::new(RecordId::random(), "Baru");
    let id = baru.id.clone();
    let (_, change, _) = replica
        .apply(&doc_id(), &Edit::save(None, &baru), &by, 2)
        .unwrap();
    follow(&mut replica, &mut copy);
    assert!(copy.as_ref().unwrap().snapshot.person(&id).is_some());
    assert_eq!(copy.as_ref().unwrap().history(Collection::Persons, &id).len(), 1);

    let mut tab = VillageDoc::load(&relay.doc.save()).unwrap();
    let other = tab
        .create(
            Person::new(RecordId::random(), "Dari Tab Lain"),
            &Author::new("desa", "tab2"),
            3,
        )
        .unwrap();
    replica.from_other_tab(&doc_id(), vec![("t".into(), tab.save())]);
    follow(&mut replica, &mut copy);
    assert!(copy.as_ref().unwrap().snapshot.person(&other).is_some());

    // Reopened: the window shows the stored view and the worker resumes the same one; the copy
    // follows from there with a delta, not the whole view.
    let stored = replica.stored_view(&doc_id()).unwrap();
    let mut chunks = stored_chunks(&effects);
    chunks.push(("local".into(), change));
    chunks.push(("t".into(), tab.save()));
    let mut later = tab.clone();
    let latest = later
        .create(Person::new(RecordId::random(), "Sesudah"), &by, 4)
        .unwrap();
    chunks.push(("latest".into(), later.save()));
    let mut reopened = Replica::new("desa/hp/tab2".into());
    reopened.follow();
    reopened.add_stored_view(&doc_id(), true, Some(&stored));
    let mut copy = VillageView::decode(&stored);
    reopened.load(&doc_id(), chunks, None);
    let updates = reopened.screen_updates(&doc_id());
    assert!(
        matches!(updates.as_slice(), [ScreenUpdate::Delta(_)]),
        "{updates:?}"
    );
    let ScreenUpdate::Delta(delta) = &updates[0] else {
        unreachable!()
    };
    copy.as_mut().unwrap().follow(delta).unwrap();
    assert!(copy.as_ref().unwrap().same_as(reopened.view(&doc_id()).unwrap()));
    assert!(copy.as_ref().unwrap().snapshot.person(&latest).is_some());

    // A copy that missed an update is out of step, and gets the view whole.
    let mut stale = copy.take().unwrap();
    assert!(stale.follow(delta).is_err(), "a delta applied twice is refused");
    reopened.resend_view(&doc_id());
    let mut copy = None;
    follow(&mut reopened, &mut copy);
}
