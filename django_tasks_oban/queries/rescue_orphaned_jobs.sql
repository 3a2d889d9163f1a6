-- Oban.py's rescue_jobs.sql, rescuing only jobs whose producer is gone: an
-- attempt is orphaned once the producer named in attempted_by[2] no longer
-- heartbeats in oban_producers. Jobs with no producer uuid (older clients)
-- fall back to Oban.py's time-based rule.
UPDATE
  oban_jobs
SET
  state = CASE
    WHEN attempt >= max_attempts THEN 'discarded'::oban_job_state
    ELSE 'available'::oban_job_state
  END,
  discarded_at = CASE
    WHEN attempt >= max_attempts THEN timezone('UTC', now())
    ELSE discarded_at
  END,
  meta = CASE
    WHEN attempt >= max_attempts THEN meta
    ELSE meta || jsonb_build_object('rescued', coalesce((meta->>'rescued')::int, 0) + 1)
  END
WHERE
  (
    state = 'executing'
    AND attempted_at < timezone('UTC', now()) - make_interval(secs => %(rescue_after)s)
    AND NOT EXISTS (
      SELECT 1
      FROM oban_producers
      WHERE oban_producers.uuid::text = oban_jobs.attempted_by[2]
    )
  )
  OR (state = 'available' AND attempt >= max_attempts)
