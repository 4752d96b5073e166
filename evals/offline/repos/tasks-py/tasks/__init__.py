from tasks.model import Task, TaskList

__all__ = ["Task", "TaskList"]
