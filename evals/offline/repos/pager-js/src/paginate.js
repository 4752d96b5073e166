/** How many pages `total` items fill at `perPage` a page; an empty list still has one page. */
export function pageCount(total, perPage) {
  if (!Number.isInteger(perPage) || perPage < 1) {
    throw new RangeError(`perPage must be a positive integer, got ${perPage}`);
  }
  return Math.floor(total / perPage) + 1;
}

/** Page `page` (1-based) of `items`, with what a view needs to draw its buttons. */
export function paginate(items, page, perPage) {
  const pages = pageCount(items.length, perPage);
  if (!Number.isInteger(page) || page < 1 || page > pages) {
    throw new RangeError(`page ${page} is out of range 1..${pages}`);
  }
  const start = (page - 1) * perPage;
  return {
    items: items.slice(start, start + perPage),
    page,
    pages,
    hasPrevious: page > 1,
    hasNext: page < pages,
  };
}
