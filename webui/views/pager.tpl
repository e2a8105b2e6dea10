% if page.count > 1:
<nav class="pager" aria-label="pages">
  % if page.has_previous:
  <a href="{{link(page.number - 1)}}" rel="prev">&larr; previous</a>
  % end
  <span>page {{page.number}} of {{page.count}} ({{page.total}} in all)</span>
  % if page.has_next:
  <a href="{{link(page.number + 1)}}" rel="next">next &rarr;</a>
  % end
</nav>
% end
