"""Oban.py's own workers, which a project can mix with Django tasks."""

from oban import job, worker


@worker(queue="default")
class PlainObanWorker:
    async def process(self, job):
        return None


@job(queue="default")
def plain_oban_job(n):
    return n
