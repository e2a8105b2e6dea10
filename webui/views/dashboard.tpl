% rebase('base.tpl', title=_('Account'))
<h1>{{account.name}}</h1>
<section class="card">
  <p>{{_("Balance")}} <strong id="balance">{{money(account.balance)}}</strong>
  % if account.reserved:
  ({{_("{amount} held by running calls").format(amount=money(account.reserved))}})
  % end
  </p>
  % if account.locked:
  <p class="error">{{_("This account is locked: ask the admin.")}}</p>
  % end
  <p><a class="button" href="/connect">{{_("Connect two numbers")}}</a></p>
</section>
<h2>{{_("Authorized caller IDs")}}</h2>
% if caller_ids:
<ul>
  % for number in caller_ids:
  <li>{{number}}</li>
  % end
</ul>
% else:
<p>{{_("None yet: call the box once and enter your PIN to add your phone.")}}</p>
% end
<p><a href="/callerids">{{_("Add or remove caller IDs")}}</a></p>
<h2>{{_("Last calls")}}</h2>
% if not history:
<p>{{_("No calls yet.")}}</p>
% else:
<table id="history">
<thead><tr><th>{{_("When")}}</th><th>{{_("Kind")}}</th><th>{{_("Legs")}}</th><th>{{_("Cost")}}</th></tr></thead>
<tbody>
% for item in history:
<tr>
  <td><a href="/calls/{{item['session'].id}}/detail">{{when(item['session'].started_at, False)}}</a></td>
  <td>{{stored_word(item['session'].kind)}}{{(' (' + _('running') + ')') if item['session'].state == 'running' else ''}}</td>
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
<p><a href="/calls">{{_("All calls")}}</a></p>
% end
