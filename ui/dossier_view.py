"""The dossier's workspace area: deadline banner, navigation panel and the stack of pages.

It owns the routing of navigation targets (see docs/ui-architecture.md) so that pages only ask to go
somewhere and never know each other. A page is built (and its module imported) the first time it is
asked for (``profile_page``… or ``page(name)``), not at start: the window shows the page it opens on,
and the others (the mosaic's layout, the send page's outbox) cost nothing until visited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ui.dossier_controller import DossierController
from ui.navigation import NavigationPanel
from ui.qt import QSettings, QSplitter, QStackedWidget, Qt, QVBoxLayout, QWidget, Signal
from ui.send_context import SendContext
from ui.summary_widget import DossierSummaryWidget
from ui.tasks import TaskRunner
from ui.widgets.deadline_banner import DeadlineBanner
from ui.widgets.next_steps_panel import NextStepsPanel

if TYPE_CHECKING:
    from ui.pages.actions_page import ActionsPage
    from ui.pages.dossier_page import DossierPage
    from ui.pages.epci_page import EpciPage
    from ui.pages.mosaic_page import MosaicPage
    from ui.pages.profile_page import ProfilePage
    from ui.pages.send_page import SendPage
    from ui.pages.subtheme_page import SubthemePage

DEFAULT_TARGET = "profile"
PAGES = ("profile", "epci", "subtheme", "actions", "dossier", "mosaic", "send")
NAVIGATION_CHARS = 50  # default width of the navigation panel, in average characters


class DossierView(QWidget):
    """Navigation on the left, the current page on the right; ``navigate(target)`` moves between them."""

    page_changed = Signal(str)  # the target now shown
    page_built = Signal(str)  # a page's name (``PAGES``), once it exists

    def __init__(
        self,
        controller: DossierController,
        runner: TaskRunner,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
        send_context: SendContext | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.current_target = ""
        self.banner = DeadlineBanner(controller.edition, clock, self)
        self.navigation = NavigationPanel(controller, self)
        self.next_steps = NextStepsPanel(self)  # shown by the window after the first-run assistant
        self.next_steps.setVisible(False)
        self.next_steps.navigate_requested.connect(self.navigate)
        self.stack = QStackedWidget(self)
        self.stack.setAccessibleName("Page du dossier")

        self._runner = runner
        self._settings = settings if settings is not None else QSettings()
        self._send_context = send_context or SendContext.default()
        # The send page shows it once built (it takes it as its child); the window fills it from the start.
        self.summary = DossierSummaryWidget()
        self._built: dict[str, QWidget] = {}
        self.navigation.navigate_requested.connect(self.navigate)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("dossierSplitter")
        self.splitter.addWidget(self.navigation)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        # Narrow enough to leave the fiche room at 1280 px; a long sub-theme title is elided in its middle,
        # its figures stay visible (and the splitter widens it).
        nav = self.fontMetrics().averageCharWidth() * NAVIGATION_CHARS
        self.splitter.setSizes([nav, 1366 - nav])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.next_steps)
        layout.addWidget(self.splitter, 1)
        controller.loaded.connect(self._refresh_pages)

    # ------------------------------------------------------------------ pages, built on first use

    def page(self, name: str) -> Any:
        """The page called ``name`` (one of ``PAGES``), built now if it was not yet."""
        page = self._built.get(name)
        if page is None:
            page = self._build(name)
            self._built[name] = page
            self.stack.addWidget(page)
            signal = getattr(page, "navigate_requested", None)
            if signal is not None:
                signal.connect(self.navigate)
            self.page_built.emit(name)
        return page

    def built_pages(self) -> dict[str, QWidget]:
        return dict(self._built)

    def _build(self, name: str) -> QWidget:
        c, r = self.controller, self._runner  # a page fills itself from the controller when built
        if name == "profile":
            from ui.pages.profile_page import ProfilePage

            return ProfilePage(c, r, self)
        if name == "epci":
            from ui.pages.epci_page import EpciPage

            return EpciPage(c, r, self)
        if name == "subtheme":
            from ui.pages.subtheme_page import SubthemePage

            return SubthemePage(c, r, self)
        if name == "actions":
            from ui.pages.actions_page import ActionsPage

            return ActionsPage(c, r, self)
        if name == "dossier":
            from ui.pages.dossier_page import DossierPage

            return DossierPage(c, r, self)
        if name == "mosaic":
            from ui.pages.mosaic_page import MosaicPage

            return MosaicPage(c, r, self)
        if name == "send":
            from ui.pages.send_page import SendPage

            return SendPage(c, r, self._settings, self._send_context, self.summary, self)
        raise KeyError(name)

    @property
    def profile_page(self) -> ProfilePage:
        return self.page("profile")  # type: ignore[no-any-return]

    @property
    def epci_page(self) -> EpciPage:
        return self.page("epci")  # type: ignore[no-any-return]

    @property
    def subtheme_page(self) -> SubthemePage:
        return self.page("subtheme")  # type: ignore[no-any-return]

    @property
    def actions_page(self) -> ActionsPage:
        return self.page("actions")  # type: ignore[no-any-return]

    @property
    def dossier_page(self) -> DossierPage:
        return self.page("dossier")  # type: ignore[no-any-return]

    @property
    def mosaic_page(self) -> MosaicPage:
        return self.page("mosaic")  # type: ignore[no-any-return]

    @property
    def send_page(self) -> SendPage:
        return self.page("send")  # type: ignore[no-any-return]

    def shutdown(self) -> None:
        """A send in progress is cancelled (if the send page was ever built)."""
        send = self._built.get("send")
        if send is not None:
            send.shutdown()  # type: ignore[attr-defined]

    def _refresh_pages(self) -> None:
        for page in self._built.values():
            refresh = getattr(page, "refresh", None)
            if refresh is not None:
                refresh()

    def navigate(self, target: str) -> bool:
        """Show the page for ``target``; returns False when the target is unknown (nothing changes)."""
        kind, _, arg = target.partition(":")
        page: QWidget | None = None
        if kind == "profile":
            page = self.profile_page
        elif kind == "epci":
            page = self.epci_page
        elif kind == "theme":
            theme = next((t for t in self.controller.edition.themes if t.id == arg), None)
            if theme is None:
                return False
            return self.navigate(f"subtheme:{theme.subthemes[0].id}")
        elif kind == "subtheme":
            if arg not in {st.id for st in self.controller.edition.subthemes}:
                return False
            self.subtheme_page.show_subtheme(arg)
            page = self.subtheme_page
        elif kind == "actions":
            page = self.actions_page
        elif kind == "action":
            self.actions_page.select_action(arg)
            page = self.actions_page
        elif kind == "new-action":
            if self.controller.read_only:
                return False
            self._show(self.actions_page, "actions")
            self.actions_page.new_action_for_service(arg)
            return True
        elif kind == "mosaic":
            page = self.mosaic_page
        elif kind == "dossier":
            page = self.dossier_page
        elif kind == "send":
            page = self.send_page
        elif kind == "field":
            return self._go_to_field(arg)
        if page is None:
            return False
        self._show(page, target)
        return True

    def _show(self, page: QWidget, target: str) -> None:
        self.stack.setCurrentWidget(page)
        self.current_target = target
        self.navigation.select_target(target)
        self.page_changed.emit(target)

    def _go_to_field(self, field: str) -> bool:
        """Jump from a problem of the completeness check to the field it is about."""
        if field.startswith("profile."):
            self._show(self.profile_page, "profile")
            return bool(self.profile_page.focus_field(field))
        if field.startswith("epci:"):
            self._show(self.epci_page, "epci")
            return bool(self.epci_page.focus_field(field))
        if field.startswith("action:"):
            self._show(self.actions_page, "actions")
            return bool(self.actions_page.focus_field(field))
        self._show(self.dossier_page, "dossier")
        return True
