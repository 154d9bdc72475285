"""Every change of notify's data goes through these modules (DESIGN.md rule 2):

- `planning`: an Announcement (toki.notify.announcements) → one Notification, its Deliveries and DeliveryBatches
  (`announce`, called by each producing app's own subscriber: alerts, shelters, lifelines, notices; ADR 0008);
- `sending`: claim a batch, send it with its retry key, record the outcome (`send_batch`), and staff retrying a
  dead or failed batch (`retry_batch`);
- `sweep`: what `notify_sweep` runs (re-enqueue stuck or due batches, finish plannings whose planner died);
- `subscriptions`: follow/unfollow and the 受信設定 settings, called by the LINE conversation (toki.linebot) for
  its webhook events and its one-time settings page.
"""
