% rebase('base.tpl', title='Call history')
<h1>Call history</h1>
% if not history:
<p>No calls{{' on this page' if total else ' yet'}}.</p>
% else:
<div class="scroll">
<table id="history">
<thead><tr><th>When</th><th>Kind</th><th>Leg</th><th>Number</th><th>Talked</th><th>Cost</th><th>Ended by</th></tr></thead>
<tbody>
% import time
% for item in history:
  % legs = item['legs'] or [None]
  % for index, leg in enumerate(legs):
<tr class="{{'call' if index == 0 else 'leg'}}">
    % if index == 0:
  <td rowspan="{{len(legs)}}"><a href="/calls/{{item['session'].id}}">{{time.strftime('%Y-%m-%d %H:%M', time.localtime(item['session'].started_at))}}</a></td>
  <td rowspan="{{len(legs)}}">{{item['session'].kind}}{{' (running)' if item['session'].state == 'running' else ''}}<br>total {{money(item['cost'])}}</td>
    % end
    % if leg is None:
  <td colspan="5">no leg answered</td>
    % else:
  <td>{{'A' if leg.role == 'callback' else 'B' if leg.role == 'destination' else leg.role}}</td>
  <td>{{leg.number}}</td><td>{{leg.billed_seconds}} s</td><td>{{money(leg.cost)}}</td><td>{{leg.cause}}</td>
    % end
</tr>
  % end
% end
</tbody>
</table>
</div>
% end
<p id="pages">Page {{page}} of {{pages}} ({{total}} calls)
% if page > 1:
 · <a href="/calls?page={{page - 1}}" id="newer">newer</a>
% end
% if page < pages:
 · <a href="/calls?page={{page + 1}}" id="older">older</a>
% end
</p>
