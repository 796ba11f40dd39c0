"""Reading git: dates, authors and status history of records (read_history), and the git
runner other modules use."""

from .read import History, HistoryOptions, PendingHistory, read_history
from .runner import GitRunner, GitTrouble

__all__ = ["GitRunner", "GitTrouble", "History", "HistoryOptions", "PendingHistory",
           "read_history"]
