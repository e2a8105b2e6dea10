% if page.count > 1:
<nav class="pager" aria-label="{{_('pages')}}">
  % if page.has_previous:
  <a href="{{link(page.number - 1)}}" rel="prev">&larr; {{_("previous")}}</a>
  % end
  <span>{{_("page {number} of {count} ({total} in all)").format(number=page.number, count=page.count, total=page.total)}}</span>
  % if page.has_next:
  <a href="{{link(page.number + 1)}}" rel="next">{{_("next")}} &rarr;</a>
  % end
</nav>
% end
