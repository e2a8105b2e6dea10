% rebase('base.tpl', title=_('Call history'))
<h1>{{_("Call history")}}</h1>
% if not history:
<p>{{_('No calls on this page.') if total else _('No calls yet.')}}</p>
% else:
<div class="scroll">
<table id="history">
<thead><tr><th>{{_("When")}}</th><th>{{_("Kind")}}</th><th>{{_("Leg")}}</th><th>{{_("Number")}}</th><th>{{_("Talked")}}</th><th>{{_("Cost")}}</th><th>{{_("Ended by")}}</th></tr></thead>
<tbody>
% import time
% for item in history:
  % legs = item['legs'] or [None]
  % for index, leg in enumerate(legs):
<tr class="{{'call' if index == 0 else 'leg'}}">
    % if index == 0:
  <td rowspan="{{len(legs)}}"><a href="/calls/{{item['session'].id}}">{{when(item['session'].started_at, False)}}</a><br><a class="detail" href="/calls/{{item['session'].id}}/detail">{{_("Details")}}</a></td>
  <td rowspan="{{len(legs)}}">{{stored_word(item['session'].kind)}}{{(' (' + _('running') + ')') if item['session'].state == 'running' else ''}}<br>{{_('total {amount}').format(amount=money(item['cost']))}}</td>
    % end
    % if leg is None:
  <td colspan="5">{{_("no leg answered")}}</td>
    % else:
  <td>{{'A' if leg.role == 'callback' else 'B' if leg.role == 'destination' else leg.role}}</td>
  <td>{{leg.number}}</td><td>{{leg.billed_seconds}} s</td><td>{{money(leg.cost)}}</td><td>{{stored_word(leg.cause)}}</td>
    % end
</tr>
  % end
% end
</tbody>
</table>
</div>
% end
<p id="pages">{{ngettext("Page {page} of {pages} ({total} call)", "Page {page} of {pages} ({total} calls)", total).format(page=page, pages=pages, total=total)}}
% if page > 1:
 · <a href="/calls?page={{page - 1}}" id="newer">{{_("newer")}}</a>
% end
% if page < pages:
 · <a href="/calls?page={{page + 1}}" id="older">{{_("older")}}</a>
% end
</p>
