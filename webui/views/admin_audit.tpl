% rebase('base.tpl', title='Audit')
<h1>Audit</h1>
<p class="hint">Every change to accounts, money, PINs, caller IDs, logins, rates and the blocklist: who made it, how, from where. Newest first.</p>
<form method="get" action="/admin/audit" class="card" id="audit-filter">
  <label for="account">Account (name or number)</label>
  <input id="account" name="account" value="{{account}}" maxlength="64" autocomplete="off">
  <label for="actor">Who (web login, OS user, phone number)</label>
  <input id="actor" name="actor" value="{{actor}}" maxlength="100" autocomplete="off">
  <button type="submit">Filter</button>
  % if account or actor:
  <a href="/admin/audit">show all</a>
  % end
</form>
% if error:
<p class="error" id="error">{{error}}</p>
% end
% if records is not None:
<div class="scroll">
<table id="audit">
<thead><tr><th>When</th><th>Who</th><th>How</th><th>From</th><th>Action</th><th>Account</th><th>What</th></tr></thead>
<tbody>
% for row in records.rows:
<tr data-id="{{row.id}}"><td>{{when(row.at)}}</td>
  <td><a href="{{actor_link(row.actor)}}">{{row.actor}}</a></td>
  <td>{{row.via}}</td><td>{{row.address}}</td><td>{{row.action}}</td>
  <td>
  % if row.account_id is not None:
    <a href="/admin/accounts/{{row.account_id}}">{{row.account.name}}</a>
  % end
  </td>
  <td>{{row.detail}}</td></tr>
% end
</tbody>
</table>
</div>
% if not records.rows:
<p id="none">No changes recorded{{' for these filters' if account or actor else ' yet'}}.</p>
% end
% include('pager.tpl', page=records, link=link)
% end
