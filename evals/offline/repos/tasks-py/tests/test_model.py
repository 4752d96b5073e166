import unittest

from tasks import Task, TaskList


class TaskTests(unittest.TestCase):
    def test_title_is_stripped(self):
        self.assertEqual(Task("  buy milk ").title, "buy milk")

    def test_an_empty_title_is_an_error(self):
        with self.assertRaises(ValueError):
            Task("   ")

    def test_a_tag_is_added_once(self):
        task = Task("file taxes", ["home"]).tag("home").tag("money")
        self.assertEqual(task.tags, ["home", "money"])


class TaskListTests(unittest.TestCase):
    def test_filters_by_tag_and_state(self):
        todo = TaskList()
        report = todo.add(Task("write report", ["work"]))
        todo.add(Task("call mum", ["home"]).complete())
        self.assertEqual(todo.tagged("work"), [report])
        self.assertEqual(todo.pending(), [report])


if __name__ == "__main__":
    unittest.main()
