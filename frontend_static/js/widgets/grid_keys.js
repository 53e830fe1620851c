// The grid's keyboard: one tab stop in the body (a roving tabindex), the arrow keys, Home and
// End move between cells.

function focusTarget(td) {
  return td.querySelector(":scope > a, :scope > button, :scope > input") || td;
}

export function rove(tbody, target) {
  const cells = [...tbody.querySelectorAll("tr:not(.draft) > td")];
  const current = target?.closest?.("td");
  for (const td of cells) focusTarget(td).tabIndex = -1;
  const chosen = current && cells.includes(current) ? current : cells.find((td) => td.dataset.field) || cells[0];
  if (chosen) focusTarget(chosen).tabIndex = 0;
}

export function navigate(e, tbody) {
  const td = e.target.closest("td");
  if (!td || td.classList.contains("editing") || e.target.closest(".cell-editor")) return;
  const tr = td.parentElement;
  const col = [...tr.children].indexOf(td);
  let next = null;
  if (e.key === "ArrowRight") next = td.nextElementSibling;
  else if (e.key === "ArrowLeft") next = td.previousElementSibling;
  else if (e.key === "ArrowDown") next = tr.nextElementSibling?.children[col];
  else if (e.key === "ArrowUp") next = tr.previousElementSibling?.children[col];
  else if (e.key === "Home") next = tr.firstElementChild;
  else if (e.key === "End") next = tr.lastElementChild;
  if (!next) return;
  e.preventDefault();
  const target = focusTarget(next);
  rove(tbody, next);
  target.focus();
}
