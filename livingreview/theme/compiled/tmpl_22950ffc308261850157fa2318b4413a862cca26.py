from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'feed.xml'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_site = resolve('site')
    l_0_updated = resolve('updated')
    l_0_entries = resolve('entries')
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    yield '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n  <title>'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'short_title'))
    yield ': releases and new studies</title>\n  <id>'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'url'))
    yield '</id>\n  <link rel="alternate" href="'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'url'))
    yield '"/>\n  <link rel="self" href="'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'url'))
    yield 'feed.xml"/>\n  <updated>'
    yield escape((undefined(name='updated') if l_0_updated is missing else l_0_updated))
    yield '</updated>\n  <author>'
    for l_1_name in environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'authors'):
        _loop_vars = {}
        pass
        yield '<name>'
        yield escape(l_1_name)
        yield '</name>'
    l_1_name = missing
    yield '</author>\n'
    def t_2(fiter):
        for l_1_entry in fiter:
            if environment.getattr(environment.getattr(l_1_entry, 'edition'), 'is_release'):
                yield l_1_entry
    for l_1_entry in t_2((undefined(name='entries') if l_0_entries is missing else l_0_entries)):
        l_1_e = missing
        _loop_vars = {}
        pass
        l_1_e = environment.getattr(l_1_entry, 'edition')
        _loop_vars['e'] = l_1_e
        yield '  <entry>\n    <title>Version '
        yield escape(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'label'))
        yield ' released</title>\n    <id>'
        yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'url'))
        yield 'v/'
        yield escape(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'label'))
        yield '/</id>\n    <link rel="alternate" href="'
        yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'url'))
        yield 'v/'
        yield escape(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'label'))
        yield '/"/>\n    <updated>'
        yield escape(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'date'))
        yield 'T00:00:00Z</updated>\n    <summary>'
        yield escape(t_1(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'studies')))
        yield ' studies; '
        yield escape(t_1(environment.getattr(environment.getattr(l_1_entry, 'changes'), 'added')))
        yield ' added, '
        yield escape(t_1(environment.getattr(environment.getattr(l_1_entry, 'changes'), 'removed')))
        yield ' removed, '
        yield escape(t_1(environment.getattr(environment.getattr(l_1_entry, 'changes'), 'recoded')))
        yield ' recoded.'
        if environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'notes'):
            pass
            yield ' '
            yield escape(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'notes'))
        yield '</summary>\n  </entry>\n'
        if environment.getattr(l_1_entry, 'previous'):
            pass
            for l_2_s in environment.getattr(environment.getattr(l_1_entry, 'changes'), 'added'):
                _loop_vars = {}
                pass
                yield '  <entry>\n    <title>New study: '
                yield escape(environment.getattr(l_2_s, 'short_citation'))
                yield '</title>\n    <id>'
                yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'url'))
                yield 'v/'
                yield escape(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'label'))
                yield '/studies/'
                yield escape(environment.getattr(l_2_s, 'id'))
                yield '.html</id>\n    <link rel="alternate" href="'
                yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'url'))
                yield 'v/'
                yield escape(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'label'))
                yield '/studies/'
                yield escape(environment.getattr(l_2_s, 'id'))
                yield '.html"/>\n    <updated>'
                yield escape(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'date'))
                yield 'T00:00:00Z</updated>\n    <summary>'
                yield escape(environment.getattr(l_2_s, 'title'))
                yield '</summary>\n  </entry>\n'
            l_2_s = missing
    l_1_entry = l_1_e = missing
    yield '</feed>\n'

blocks = {}
debug_info = '3=21&4=23&5=25&6=27&7=29&8=31&9=39&10=47&12=50&13=52&14=56&15=60&16=62&18=75&20=81&21=83&22=89&23=95&24=97'