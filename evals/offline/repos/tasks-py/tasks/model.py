"""Tasks with a title, tags and a done flag, and a list that filters them."""


class Task:
    def __init__(self, title, tags=[], done=False):
        if not title.strip():
            raise ValueError("a task needs a title")
        self.title = title.strip()
        self.tags = tags
        self.done = done

    def tag(self, name):
        """Adds a tag once; returns the task, so calls chain."""
        if name not in self.tags:
            self.tags.append(name)
        return self

    def complete(self):
        self.done = True
        return self

    def __repr__(self):
        return f"Task({self.title!r})"


class TaskList:
    def __init__(self):
        self.tasks = []

    def add(self, task):
        self.tasks.append(task)
        return task

    def tagged(self, name):
        return [task for task in self.tasks if name in task.tags]

    def pending(self):
        return [task for task in self.tasks if not task.done]
