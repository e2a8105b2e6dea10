% rebase('base.tpl', title='Account')
<h1>{{account.name}}</h1>
<section class="card">
  <p>Balance <strong id="balance">{{money(account.balance)}}</strong>
  % if account.reserved:
  ({{money(account.reserved)}} held by running calls)
  % end
  </p>
  % if account.locked:
  <p class="error">This account is locked: ask the admin.</p>
  % end
  <p><a class="button" href="/connect">Connect two numbers</a></p>
</section>
<h2>Authorized caller IDs</h2>
% if caller_ids:
<ul>
  % for number in caller_ids:
  <li>{{number}}</li>
  % end
</ul>
% else:
<p>None yet: call the box once and enter your PIN to add your phone.</p>
% end
<p><a href="/callerids">Add or remove caller IDs</a></p>
<h2>Last calls</h2>
% if not history:
<p>No calls yet.</p>
% else:
<table id="history">
<thead><tr><th>When</th><th>Kind</th><th>Legs</th><th>Cost</th></tr></thead>
<tbody>
% import time
% for item in history:
<tr>
  <td>{{time.strftime('%Y-%m-%d %H:%M', time.localtime(item['session'].started_at))}}</td>
  <td>{{item['session'].kind}}{{' (running)' if item['session'].state == 'running' else ''}}</td>
  <td>
  % for leg in item['legs']:
    <div>{{leg.number}} · {{leg.billed_seconds}} s · {{money(leg.cost)}}{{(' · ' + leg.cause) if leg.cause else ''}}</div>
  % end
  </td>
  <td>{{money(item['cost'])}}</td>
</tr>
% end
</tbody>
</table>
<p><a href="/calls">All calls</a></p>
% end
