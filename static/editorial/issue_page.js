// The page: reorder its parts with up/down buttons (dragging is django-nested-admin's),
// keep the number fields in step with the order, and ask before leaving with unsaved changes.
// Without JavaScript the number fields alone decide the order (editorial/inlines.py).
(() => {
  const ROW = ".djn-inline-form";
  // Words in the page's language, from the template (data-* of #editorial-order-labels).
  const label = (name) => document.getElementById("editorial-order-labels")?.dataset[name] ?? name;

  const isRow = (element) =>
    element.matches(ROW) && element.id && !element.id.endsWith("-empty") &&
    !element.classList.contains("djn-empty-form");

  const rowsOf = (items) => [...items.children].filter(isRow);

  const numberInput = (row) =>
    [...row.querySelectorAll("input.editorial-number")].find(
      (input) => input.closest(ROW) === row
    );

  // Numbers follow the order on the page, from the group's first number: the stored rows'
  // (data-first-number, from the server), else the smallest number on the page.
  const renumber = (items) => {
    const rows = rowsOf(items);
    if (items.dataset.firstNumber === undefined) {
      const numbers = rows.map((row) => parseInt(numberInput(row)?.value, 10)).filter((n) => n >= 0);
      items.dataset.firstNumber = numbers.length ? Math.min(...numbers) : 1;
    }
    let next = parseInt(items.dataset.firstNumber, 10);
    for (const row of rows) {
      const input = numberInput(row);
      if (input && String(input.value) !== String(next)) input.value = next;
      next += 1;
    }
  };

  const move = (row, step, button) => {
    const items = row.parentElement;
    const rows = rowsOf(items);
    const index = rows.indexOf(row);
    const target = rows[index + step];
    if (!target) return;
    if (step < 0) items.insertBefore(row, target);
    else items.insertBefore(row, target.nextSibling);
    renumber(items);
    markDirty();
    button.focus();
    const status = document.getElementById("editorial-order-status");
    if (status) status.textContent = label("moved").replace("%s", numberInput(row)?.value ?? "");
  };

  const addButtons = (row) => {
    if (row.dataset.orderButtons) return;
    const input = numberInput(row);
    if (!input) return;
    row.dataset.orderButtons = "1";
    const box = document.createElement("span");
    box.className = "editorial-order-buttons";
    for (const [step, text, name] of [[-1, "↑", "up"], [1, "↓", "down"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = text;
      button.title = label(name);
      button.setAttribute("aria-label", label(name));
      button.className = step < 0 ? "editorial-move-up" : "editorial-move-down";
      button.addEventListener("click", () => move(row, step, button));
      box.append(button);
    }
    input.after(box);
  };

  const refresh = (form) => {
    for (const items of form.querySelectorAll(".djn-items")) {
      for (const row of rowsOf(items)) addButtons(row);
      renumber(items);
    }
  };

  let dirty = false;
  const markDirty = () => { dirty = true; };

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("briefing_form");
    if (!form) return;
    const status = document.createElement("p");
    status.id = "editorial-order-status";
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    form.prepend(status);
    refresh(form);
    // Rows added, removed or dragged by nested-admin: new rows get the next number.
    let pending = null;
    new MutationObserver(() => {
      clearTimeout(pending);
      pending = setTimeout(() => refresh(form), 0);
    }).observe(form, { childList: true, subtree: true });
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    form.addEventListener("submit", () => { dirty = false; });
    window.addEventListener("beforeunload", (event) => {
      if (!dirty) return;
      event.preventDefault();
      event.returnValue = "";
    });
  });
})();
